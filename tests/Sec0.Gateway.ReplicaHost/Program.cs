using Sec0;
using Sec0.Gateway;

// One gateway replica as its own process, for the replica tests: started from a sec0.config.yaml, it prints
// "listening <url>" once it serves, and stops (flushing its audit log) when its standard input closes or on SIGTERM.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Sec0.Gateway.ReplicaHost <sec0.config.yaml>");
    return 2;
}

Sec0Gateway gateway;
try
{
    gateway = await Sec0Gateway.StartAsync(args[0]);
}
catch (Sec0Exception ex)
{
    Console.Error.WriteLine(ex.Message);
    return 3;
}

await using (gateway)
{
    Console.WriteLine($"listening {gateway.Url}");
    using var stop = new CancellationTokenSource();
    using var onTerminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
    {
        context.Cancel = true;
        stop.Cancel();
    });
    var stdinClosed = Task.Run(() => Console.In.ReadToEnd());
    await Task.WhenAny(stdinClosed, Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default));
}

return 0;
