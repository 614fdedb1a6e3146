using Sec0.Audit;
using Spectre.Console;

namespace Sec0.Cli.Output;

/// <summary>
/// Runs a verification under a Spectre.Console progress bar fed by the verifier's
/// <see cref="IProgress{T}"/>. The bar clears itself when done, so only the result stays on screen.
/// </summary>
internal static class VerifyProgressDisplay
{
    public static AuditVerificationReport Run(TextWriter terminal, Func<IProgress<double>, AuditVerificationReport> verify)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(terminal) });
        AuditVerificationReport? report = null;
        console.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(progressContext =>
            {
                ProgressTask task = progressContext.AddTask("verifying", maxValue: 1.0);
                report = verify(new TaskProgress(task));
                task.Value = task.MaxValue;
            });
        return report!;
    }

    // Progress<T> would post to the thread pool and could update the bar after it is gone; setting the
    // task's value directly is thread-safe and synchronous.
    private sealed class TaskProgress(ProgressTask task) : IProgress<double>
    {
        public void Report(double value) => task.Value = Math.Clamp(value, 0, 1);
    }
}
