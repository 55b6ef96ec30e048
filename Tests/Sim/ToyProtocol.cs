using Akka.Actor;

namespace Emulator.Tests.Sim;

/// <summary>
/// A toy protocol that uses everything the sim loop must schedule: top-level actors, children,
/// a lock actor with Become and Stash, single and periodic timers, timer cancellation,
/// Context.Stop and Context.Watch / Terminated, and a stop cascade: the coordinator stops with
/// idle children, whose goodbyes reach the ledger in an order only the loop decides. It ends when
/// the coordinator has stopped and the loop is idle.
/// </summary>
internal static class ToyProtocol
{
    public const int WorkerCount = 3;

    /// <summary>Children that only wait to be stopped with their parent.</summary>
    public const int IdleCount = 5;

    /// <summary>
    /// Grants each worker takes (on Peers, on waking, on heartbeats) before stopping.
    /// </summary>
    public const int GrantsPerWorker = 3;

    /// <summary>
    /// Creates the top-level actors; the run is over when <see cref="ToyRun.Finished"/>.
    /// </summary>
    public static ToyRun Start(ActorSystem system)
    {
        var run = new ToyRun();
        var ledger = system.ActorOf(Props.Create(() => new Ledger()), "ledger");
        var coordinator = system.ActorOf(
            Props.Create(() => new Coordinator(run, ledger)), "coordinator");
        system.ActorOf(Props.Create(() => new Ticker(coordinator)), "ticker");
        coordinator.Tell(new Begin());
        return run;
    }

    public sealed class ToyRun
    {
        public bool Finished { get; set; }

        /// <summary>Acquires the lock stashed: shows the run exercised Stash.</summary>
        public int Stashes { get; set; }
    }

    public sealed record Begin;

    public sealed record Goodbye(int Idle);

    public sealed record Peers(IReadOnlyList<IActorRef> Workers);

    public sealed record Poke(int Round);

    public sealed record Nudge(int Round);

    public sealed record Nudged(int Worker, int Round);

    public sealed record Acquire(int Worker);

    public sealed record Granted;

    public sealed record Release(int Worker);

    public sealed record Token(int Origin, int Hop);

    private sealed record Woke;

    private sealed record Beat;

    private sealed record Tick;

    /// <summary>Parent of the lock and the workers; stops once every worker has stopped.</summary>
    private sealed class Coordinator : ReceiveActor
    {
        private readonly List<IActorRef> _workers = new();
        private readonly ToyRun _run;
        private readonly IActorRef _ledger;
        private IActorRef _lock = ActorRefs.Nobody;
        private int _stopped;

        public Coordinator(ToyRun run, IActorRef ledger)
        {
            _run = run;
            _ledger = ledger;
            Receive<Begin>(_ => HandleBegin());
            Receive<Poke>(HandlePoke);
            Receive<Nudged>(_ => { });
            Receive<Terminated>(_ => HandleTerminated());
        }

        protected override void PostStop() => _run.Finished = true;

        private void HandleBegin()
        {
            _lock = Context.ActorOf(Props.Create(() => new Lock(_run)), "lock");
            for (var index = 0; index < WorkerCount; index++)
            {
                var props = Props.Create(() => new Worker(index, _lock));
                var worker = Context.ActorOf(props, $"w{index}");
                Context.Watch(worker);
                _workers.Add(worker);
            }
            for (var index = 0; index < IdleCount; index++)
            {
                Context.ActorOf(Props.Create(() => new Idle(index, _ledger)), $"idle{index}");
            }
            foreach (var worker in _workers) worker.Tell(new Peers(_workers));
        }

        private void HandlePoke(Poke poke) =>
            _workers[poke.Round % WorkerCount].Tell(new Nudge(poke.Round));

        private void HandleTerminated()
        {
            _stopped++;
            if (_stopped < WorkerCount) return;
            Context.Stop(_lock);
            Context.Stop(Self);
        }
    }

    /// <summary>
    /// A two-state lock: Free grants at once; Taken stashes Acquire until Release.
    /// </summary>
    private sealed class Lock : ReceiveActor, IWithUnboundedStash
    {
        private readonly ToyRun _run;

        public Lock(ToyRun run)
        {
            _run = run;
            Free();
        }

        public IStash Stash { get; set; } = null!;

        // Handles Acquire (grants); refuses nothing; stashes nothing.
        private void Free()
        {
            Receive<Acquire>(_ =>
            {
                Sender.Tell(new Granted());
                Become(Taken);
            });
        }

        // Handles Release (unstashes, back to Free); stashes Acquire.
        private void Taken()
        {
            Receive<Acquire>(_ =>
            {
                _run.Stashes++;
                Stash.Stash();
            });
            Receive<Release>(_ =>
            {
                Stash.UnstashAll();
                Become(Free);
            });
        }
    }

    /// <summary>
    /// Takes the lock on waking and on heartbeats, sends tokens round, then stops.
    /// </summary>
    private sealed class Worker : ReceiveActor, IWithTimers
    {
        private readonly int _index;
        private readonly IActorRef _lock;
        private IReadOnlyList<IActorRef> _peers = Array.Empty<IActorRef>();
        private int _acquires;
        private int _grants;

        public Worker(int index, IActorRef @lock)
        {
            _index = index;
            _lock = @lock;
            Receive<Peers>(HandlePeers);
            Receive<Woke>(_ => HandleAcquireNext());
            Receive<Beat>(_ => HandleAcquireNext());
            Receive<Granted>(_ => HandleGranted());
            Receive<Token>(HandleToken);
            Receive<Nudge>(nudge => Sender.Tell(new Nudged(_index, nudge.Round)));
        }

        public ITimerScheduler Timers { get; set; } = null!;

        protected override void PreStart()
        {
            Timers.StartSingleTimer("wake", new Woke(), TimeSpan.FromMilliseconds(5 + 3 * _index));
            Timers.StartPeriodicTimer("beat", new Beat(), TimeSpan.FromMilliseconds(7));
        }

        // All workers ask for the lock at once here, so the lock stashes.
        private void HandlePeers(Peers peers)
        {
            _peers = peers.Workers;
            HandleAcquireNext();
        }

        private void HandleAcquireNext()
        {
            if (_acquires == GrantsPerWorker) return;
            _acquires++;
            _lock.Tell(new Acquire(_index));
        }

        private void HandleGranted()
        {
            _grants++;
            _peers[(_index + 1) % _peers.Count].Tell(new Token(_index, 0));
            _lock.Tell(new Release(_index));
            if (_grants < GrantsPerWorker) return;
            Timers.Cancel("beat");
            Context.Stop(Self);
        }

        private void HandleToken(Token token)
        {
            if (token.Hop >= 3) return;
            var next = _peers[(_index + token.Hop + 1) % _peers.Count];
            next.Tell(token with { Hop = token.Hop + 1 });
        }
    }

    /// <summary>
    /// A second top-level actor: pokes the coordinator on a periodic timer, four times.
    /// </summary>
    private sealed class Ticker : ReceiveActor, IWithTimers
    {
        private readonly IActorRef _coordinator;
        private int _round;

        public Ticker(IActorRef coordinator)
        {
            _coordinator = coordinator;
            Receive<Tick>(_ => HandleTick());
        }

        public ITimerScheduler Timers { get; set; } = null!;

        protected override void PreStart() =>
            Timers.StartPeriodicTimer("tick", new Tick(), TimeSpan.FromMilliseconds(4));

        private void HandleTick()
        {
            _coordinator.Tell(new Poke(_round));
            _round++;
            if (_round == 4) Context.Stop(Self);
        }
    }

    /// <summary>Does nothing until its parent stops; then says goodbye to the ledger.</summary>
    private sealed class Idle : ReceiveActor
    {
        private readonly int _index;
        private readonly IActorRef _ledger;

        public Idle(int index, IActorRef ledger)
        {
            _index = index;
            _ledger = ledger;
        }

        protected override void PostStop() => _ledger.Tell(new Goodbye(_index));
    }

    /// <summary>A top-level actor that takes the idle children's goodbyes.</summary>
    private sealed class Ledger : ReceiveActor
    {
        public Ledger()
        {
            Receive<Goodbye>(_ => { });
        }
    }
}
