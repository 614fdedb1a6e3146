namespace Sec0.Cli; internal static class Program { private static int Main() => 0; }
