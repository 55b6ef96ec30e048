using Akka.Actor;

namespace Emulator.Host.Bench;

/// <summary>
/// The raw ceiling's protocol: a ping and a pong pass one message back and forth, nothing else
/// (no allocation per message: the message is a boxed int kept in a field). The ping counts the
/// messages of both and says <see cref="Done"/> when the count is reached.
/// </summary>
internal sealed class Ping : UntypedActor
{
    private static readonly object Ball = 1;
    private readonly IActorRef _pong;
    private readonly long _messages;
    private readonly TaskCompletionSource? _done;
    private long _count;

    public Ping(IActorRef pong, long messages, TaskCompletionSource? done)
    {
        _pong = pong;
        _messages = messages;
        _done = done;
    }

    /// <summary>Starts the rally.</summary>
    public static readonly object Serve = new();

    protected override void OnReceive(object message)
    {
        if (ReferenceEquals(message, Serve) || (_count += 2) < _messages)
        {
            _pong.Tell(Ball);
            return;
        }
        _done?.TrySetResult();
    }
}

/// <summary>Sends every message back to its sender.</summary>
internal sealed class Pong : UntypedActor
{
    protected override void OnReceive(object message) => Sender.Tell(message);
}
