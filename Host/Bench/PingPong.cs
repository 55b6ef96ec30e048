using Akka.Actor;

namespace Emulator.Host.Bench;

/// <summary>
/// The raw ceiling's protocol: a ping and a pong pass balls back and forth, nothing else (no
/// allocation per message: each ball is sent again as it came). <see cref="Serve"/> puts
/// <c>inFlight</c> balls in play; the ping counts the messages of both ways and completes
/// <c>done</c> when <c>messages</c> have gone.
/// </summary>
internal sealed class Ping(IActorRef pong, object ball, int inFlight, long messages,
    TaskCompletionSource? done) : UntypedActor
{
    /// <summary>Starts the rally.</summary>
    public static readonly object Serve = new();

    private long _count;

    protected override void OnReceive(object message)
    {
        if (ReferenceEquals(message, Serve))
        {
            for (var i = 0; i < inFlight; i++) pong.Tell(ball);
            return;
        }
        if ((_count += 2) + 2 * (inFlight - 1) < messages) pong.Tell(message);
        else if (_count >= messages) done?.TrySetResult();
    }
}

/// <summary>Sends every message back to its sender.</summary>
internal sealed class Pong : UntypedActor
{
    protected override void OnReceive(object message) => Sender.Tell(message);
}
