using Akka.Dispatch;

namespace Emulator.Partitions.Sim;

/// <summary>
/// A runnable the loop does not simulate (a system actor's mailbox, a dispatcher task), run on
/// the .NET thread pool. The loop counts these while they run so it can wait for them before
/// each choice: system actors do send to simulated actors (the /system guardian watches /user),
/// and such a message must land before the choice, not at a random point during the run.
/// </summary>
internal sealed class SimElsewhereWork : IThreadPoolWorkItem
{
    private readonly SimLoop _loop;
    private readonly IRunnable _runnable;

    public SimElsewhereWork(SimLoop loop, IRunnable runnable)
    {
        _loop = loop;
        _runnable = runnable;
    }

    public void Execute()
    {
        try
        {
            _runnable.Run();
        }
        finally
        {
            _loop.ElsewhereEnded();
        }
    }
}
