namespace Sec0.Audit;

/// <summary>The values of an audit envelope's <c>status</c> field.</summary>
internal static class EnvelopeStatus
{
    /// <summary>The call ran and succeeded.</summary>
    public const string Ok = "ok";

    /// <summary>The call failed, was refused, or its tool reported an error.</summary>
    public const string Error = "error";

    /// <summary><see cref="Ok"/> when <paramref name="succeeded"/>, otherwise <see cref="Error"/>.</summary>
    public static string Of(bool succeeded) => succeeded ? Ok : Error;
}
