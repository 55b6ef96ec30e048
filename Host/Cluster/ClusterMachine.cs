using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Akka.Actor;
using Akka.Configuration;
using Emulator.Host.Machines;
using Emulator.Host.Scenarios;
using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Cluster;
using Emulator.Partitions.Tracing;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Processes;
using Stopwatch = System.Diagnostics.Stopwatch;

namespace Emulator.Host.Cluster;

/// <summary>
/// One emulated machine in <c>cluster</c> mode: its partitions on Akka.Cluster nodes, each an OS
/// process (<see cref="LocalNode"/>s it starts, or the members of a running cluster), and this
/// process a member that hosts none: the driver. Requests go from here to each partition's node
/// and replies come back; only XPC crosses between partitions, over Akka remoting.
/// The checkers run here, on every node's events, merged into one order by
/// <see cref="NodeGathering"/>, which also tells when the machine settled.
/// Time is the wall clock; runs are not reproducible (the seed decides only link faults).
/// </summary>
public sealed class ClusterMachine : IMachineDriver
{
    /// <summary>How long the nodes may take to start, join, find each other and connect.</summary>
    public static readonly TimeSpan FormLimit = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    /// <summary>How often a wait for a reply looks for a node process that died.</summary>
    private static readonly TimeSpan LostNodeCheck = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The driver's console is the run's report: what Akka logs there is about associations that
    /// broke (a crash kills a node on purpose, as an error; every run ends with its nodes
    /// leaving), which the run's own report says better, so the driver's Akka logs nothing. A
    /// message that cannot cross ends the run as stuck, naming the request.
    /// On Ctrl-C or SIGTERM the driver just dies, without Akka's leave on the way out (which
    /// waits on the nodes): its nodes see their stdin close and go themselves.
    /// </summary>
    private static readonly Config DriverConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = OFF
        akka.stdout-loglevel = OFF
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        """);

    /// <summary>
    /// How far above the last pid seen a restarted partition numbers its processes: a process
    /// its dying node started without the event reaching us (a fork in its last moments) keeps a
    /// pid no new process takes, unless that many were started so.
    /// </summary>
    private const int RestartPidGap = 1000;

    private readonly int _partitions;
    private readonly ClusterPlan _plan;
    private readonly ClusterNode _driver;
    private readonly List<LocalNode> _local = [];
    private readonly BlockingCollection<object> _inbox = new();
    private readonly IActorRef _inboxActor;
    private readonly DriverRequests _requests;
    private readonly FaultInjector _faults;
    private readonly NodeGathering _gathering;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly HashSet<int> _lostReported = [];

    /// <summary>
    /// Starts (or joins) the cluster of <paramref name="plan"/> for a machine of
    /// <paramref name="partitions"/> partitions and waits until every partition is wired here and
    /// connected to every other; throws <see cref="ClusterStartException"/> if that did not
    /// happen within <see cref="FormLimit"/> (everything started is stopped again).
    /// </summary>
    public ClusterMachine(int partitions, ClusterPlan plan, Config akkaConfig, ITrace? trace)
    {
        _partitions = partitions;
        _plan = plan;
        _driver = ClusterNode.Start(new(partitions, [], plan.SeedNodes, plan.Host, plan.Port),
            DriverConfig.WithFallback(akkaConfig));
        try
        {
            Settings = _driver.Settings;
            Monitor = new MachineMonitor(Settings.LockOrder);
            ReplyTimeLimit = Settings.LiveReplyTimeLimit;
            _inboxActor = _driver.System.ActorOf(
                Produced.By(() => new InboxActor(_inbox.Add)), "runner");
            _requests = new DriverRequests(_driver.Wiring, _inboxActor);
            // The driver hosts no partition, so its link carries nothing: it mirrors the nodes'
            // links (their faults and their counts), to tell when XPC settled.
            _driver.Wiring.Link.Crashed = _driver.Context.Lives.Crashed;
            _gathering = new NodeGathering(_driver.System, Monitor, trace ?? NoTrace.Instance,
                _driver.Wiring.Link);
            _faults = new FaultInjector(_driver.Wiring, _driver.Context.Lives, Monitor,
                Settings.Xpc, (condition, limit) => _gathering.Until(condition, limit, NodeLost),
                FormLimit);
            if (plan.StartsNodes)
            {
                foreach (var hosted in plan.Placement(partitions))
                    _local.Add(LocalNode.Start(hosted, partitions, _driver.Address,
                        plan.Overrides));
            }
            Form();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public EmulatorSettings Settings { get; }

    /// <summary>The checkers, fed with every node's events in merged order.</summary>
    public MachineMonitor Monitor { get; }

    /// <summary>The nodes started here (none when driving a running cluster).</summary>
    public IReadOnlyList<LocalNode> LocalNodes => _local;

    /// <summary>The driver's own cluster address.</summary>
    public Address Address => _driver.Address;

    /// <summary>The driver's ActorSystem (for figures taken beside the run).</summary>
    public ActorSystem System => _driver.System;

    /// <summary>How long the cluster took to form, wire and connect.</summary>
    public TimeSpan FormedAfter { get; private set; }

    /// <summary>Wall-clock time since the machine was built.</summary>
    public TimeSpan Now => _clock.Elapsed;

    /// <summary>Deliveries on every node, as of the last wave.</summary>
    public long Deliveries => _gathering.Deliveries;

    /// <summary>Wall-clock time: <c>live-reply-time-limit</c> in akka.hocon.</summary>
    public TimeSpan ReplyTimeLimit { get; }

    public TgId? Spawn(int partition, Credentials credentials, LibraryMode library) =>
        DriverRequests.Spawn(this, partition, credentials, library);

    public RequestId StartSpawn(int partition, Credentials credentials, LibraryMode library) =>
        _requests.Spawn(partition, credentials, library);

    public bool IsCrashed(int partition) => _faults.IsCrashed(partition);

    public RequestId Start(TgId process, Call call) => _requests.Start(process, call);

    /// <summary>
    /// Waits for the next reply; a node process that died on its own (not a crash the scenario
    /// asked for) ends the wait at once, recorded as a failure of the emulator with what the
    /// node printed, instead of a liveness failure after the whole limit.
    /// </summary>
    public bool TryNextReply(TimeSpan limit, [NotNullWhen(true)] out object? reply)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var left = limit - watch.Elapsed;
            var slice = left < LostNodeCheck ? left : LostNodeCheck;
            if (_inbox.TryTake(out reply, slice > TimeSpan.Zero ? slice : TimeSpan.Zero))
                return true;
            if (NodeLost() || watch.Elapsed >= limit) return false;
        }
    }

    /// <summary>
    /// Gathers until a pair of waves finds every node quiet with nothing new and XPC balanced,
    /// or <see cref="ReplyTimeLimit"/> passed.
    /// </summary>
    public bool Settle() => !NodeLost() && _gathering.Until(() => true, ReplyTimeLimit, NodeLost);

    /// <summary>
    /// True when a node process started here died without being killed on purpose; the first
    /// time, the monitor records it (a failure of the emulator: the run ends as one).
    /// </summary>
    private bool NodeLost()
    {
        var lost = _local.FirstOrDefault(node => node.HasExited && !node.Killed);
        if (lost is null) return false;
        if (_lostReported.Add(lost.Pid))
        {
            Monitor.ActorFailed($"node process {lost.Pid} (partitions "
                + $"{string.Join(",", lost.Hosted)}) ended on its own ({lost.Ending}); it "
                + $"printed: {string.Join(" | ", lost.Printed.Split('\n').TakeLast(5))}");
        }
        return true;
    }

    /// <summary>
    /// A link fault goes to every node's own link, and to the driver's mirror of them; a wave
    /// after it ends only once every node has set it (each node's reporter takes the order before
    /// the wave's request). Heal waits, as in every mode, for the partitions to rejoin.
    /// A crash of a partition alone on a node this run started kills that node's process
    /// (SIGKILL: no leave, nothing more from it), and its restart starts a new one; any other
    /// partition crashes and restarts on its node as in <c>sim</c> (its partition actor is told,
    /// across nodes), the node going on with the partitions it also hosts.
    /// </summary>
    public void Inject(Command fault)
    {
        switch (fault)
        {
            case CrashCommand crash when Alone(crash.Partition) is not null:
                Kill(crash.Partition);
                return;
            case RestartCommand restart when Alone(restart.Partition) is not null:
                Restart(restart.Partition);
                return;
            case CrashCommand crash:
                _driver.Context.Lives.Crash(new PartitionId(crash.Partition));
                _faults.Inject(fault);
                return;
            case RestartCommand restart:
                // The driver's record of the partition's lives follows the node's (both move to
                // the next incarnation), then the restart goes the way it goes in every mode.
                var id = new PartitionId(restart.Partition);
                if (!_driver.Context.Lives.Crashed(id)) _driver.Context.Lives.Crash(id);
                _driver.Context.Lives.Restart(id);
                _faults.Inject(fault);
                return;
        }
        if (LinkFaults.Of(fault) is not { } link)
            throw new ArgumentException($"{fault} is not a fault", nameof(fault));
        _gathering.TellEveryNode(new LinkOrder(link));
        _gathering.Once();
        _faults.Inject(fault);
    }

    /// <summary>
    /// The node process started here that hosts <paramref name="partition"/> and nothing else,
    /// or null.
    /// </summary>
    private LocalNode? Alone(int partition) =>
        _local.SingleOrDefault(node => node.Hosted is [var only] && only == partition);

    /// <summary>
    /// Starts a new node process for <paramref name="partition"/> (crashed first if it runs), its
    /// next incarnation numbering processes above every pid the checkers saw on it, and waits
    /// until the driver reaches it there (every member's <see cref="PartitionFinder"/> wires it
    /// again) and it has rejoined its peers, as a restart in every mode does.
    /// </summary>
    private void Restart(int partition)
    {
        var mark = Monitor.Read(m => m.Peers.Mark);
        var id = new PartitionId(partition);
        var old = _local.Single(n => n.Hosted.Contains(partition));
        if (!old.HasExited) Kill(partition);
        var incarnation = _driver.Context.Lives.Incarnation(id) + 1;
        var firstPid = Math.Max(Settings.FirstPid,
            _gathering.LastPid(partition) + RestartPidGap);
        var node = LocalNode.Start(old.Hosted, _partitions, _driver.Address, _plan.Overrides,
            incarnation, firstPid);
        _local[_local.IndexOf(old)] = node;
        old.Dispose();
        var address = node.WaitForAddress(FormLimit) ?? throw new ClusterStartException(
            $"restart partition {partition}: its new node did not start within {FormLimit}; it "
            + $"printed:\n{node.Printed}");
        var watch = Stopwatch.StartNew();
        while (_driver.Wiring.XpcOf(id).Path.Address != address
            || _driver.Wiring.Partitions[partition].Path.Address != address)
        {
            if (watch.Elapsed > FormLimit)
            {
                throw new ClusterStartException($"restart partition {partition}: its new node "
                    + $"at {address} was not found within {FormLimit}");
            }
            Thread.Sleep(PollInterval);
        }
        _gathering.Add(address, Reporter(address));
        _driver.Context.Lives.Restart(id);
        _faults.AwaitRejoin(partition, mark);
    }

    /// <summary>
    /// SIGKILLs the node of <paramref name="partition"/> and tells the checkers it crashed, after
    /// every event it managed to send.
    /// </summary>
    private void Kill(int partition)
    {
        var node = _local.Single(n => n.Hosted.Contains(partition));
        if (node.HasExited) return;
        node.Kill();
        _driver.Context.Lives.Crash(new PartitionId(partition));
        if (node.Address is { } address) _gathering.Lose(address);
        // What it sent before it died is final: released with the survivors' events up to now,
        // merged, then the crash; anything of it still on the wire is dropped, as the crash
        // came after it in every order the checkers could be shown.
        _gathering.Once();
        Monitor.Observe(new PartitionCrashed(new PartitionId(partition)));
        if (node.Address is { } gone) _gathering.Forget(gone);
    }

    /// <summary>The driver's inbox; a wait's reminder comes after its time, by Akka's
    /// scheduler.</summary>
    public void RemindAfter(TimeSpan delay, object message) =>
        _driver.System.Scheduler.ScheduleTellOnce(delay, _inboxActor, message, ActorRefs.NoSender);

    public IReadOnlyList<CheckerReport> Finish(IEnumerable<TgId> processes)
    {
        Settle();
        foreach (var process in processes) Start(process, new ExitCall(0));
        _gathering.Until(() => Monitor.Read(m => m.Refcounts.ThreadGroupsAlive == 0),
            ReplyTimeLimit, NodeLost);
        while (_inbox.TryTake(out _))
        {
            // The exits' answers: the run is over, nobody reads them.
        }
        return Monitor.Final();
    }

    /// <summary>
    /// Ends the machine. Nodes started here are killed with the driver stopped first: the run is
    /// over, nothing on them is kept, and a graceful leave would wait for members that cannot
    /// answer (one the scenario crashed, or one that died) for the leave's whole timeout. On a
    /// running cluster (<c>--seed-nodes</c>) the driver leaves, as a member that goes, and the
    /// nodes stay.
    /// </summary>
    public void Dispose()
    {
        try
        {
            if (_local.Count == 0) _driver.Dispose();
            else _driver.Abort();
        }
        finally
        {
            // Every node is killed first, then each awaited: they free their memory together,
            // and the run ends only once none runs (whatever the driver's stop did).
            foreach (var node in _local.Where(node => !node.HasExited)) node.SendKill();
            foreach (var node in _local) node.Dispose();
            _inbox.Dispose();
        }
    }

    /// <summary>
    /// Waits for the nodes' addresses, every partition on an Up member, the machine wired here,
    /// every node's reporter, and every pair of partitions connected.
    /// </summary>
    private void Form()
    {
        foreach (var node in _local)
        {
            if (node.WaitForAddress(FormLimit - _clock.Elapsed) is null)
            {
                throw new ClusterStartException($"node process {node.Pid} (partitions "
                    + $"{string.Join(",", node.Hosted)}) did not start within {FormLimit}; it "
                    + $"printed:\n{node.Printed}");
            }
        }
        if (!_driver.WaitForPartitionsAsync(FormLimit - _clock.Elapsed).GetAwaiter().GetResult())
        {
            var up = _driver.HostsUp().Keys.Order();
            throw new ClusterStartException($"within {FormLimit} only partitions "
                + $"{string.Join(",", up)} of {_partitions} were hosted by Up members");
        }
        var unwired = _driver.WireAsync(FormLimit - _clock.Elapsed).GetAwaiter().GetResult();
        if (unwired.Count > 0)
        {
            throw new ClusterStartException("partitions " + string.Join(",", unwired)
                + $" could not be found on their nodes within {FormLimit}");
        }
        foreach (var address in _driver.HostsUp().Values.Distinct())
            _gathering.Add(address, Reporter(address));
        var pairs = Enumerable.Range(0, _partitions)
            .SelectMany(p => Enumerable.Range(0, _partitions).Where(q => q != p)
                .Select(q => (P: new PartitionId(p), Q: new PartitionId(q))))
            .ToList();
        // Met (each heard the other, XPC's ledgers say) and not lost since (the events say).
        bool Connected((PartitionId P, PartitionId Q) pair) =>
            _driver.Wiring.Link.Met(pair.P, pair.Q)
            && Monitor.Read(m => m.Peers.UpSince(pair.P, pair.Q, 0, orStayed: true));
        if (!_gathering.Until(() => pairs.All(Connected), FormLimit - _clock.Elapsed, NodeLost))
        {
            if (NodeLost()) throw new ClusterStartException(string.Join("; ", Monitor.Failures));
            var apart = pairs.Where(pair => !Connected(pair)).Select(pair => $"{pair.P}-{pair.Q}");
            throw new ClusterStartException($"the partitions did not connect within {FormLimit}: "
                + $"{string.Join(", ", apart)} never met, or are not Up");
        }
        FormedAfter = _clock.Elapsed;
    }

    /// <summary>The <see cref="NodeReporter"/> of the node at <paramref name="address"/>.</summary>
    private IActorRef Reporter(Address address) => _driver
        .FindAsync(PartitionPlacement.ReporterPath(address), FormLimit).GetAwaiter().GetResult()
        ?? throw new ClusterStartException(
            $"the node at {address} has no reporter within {FormLimit} (another build?)");
}

/// <summary>
/// The cluster of a run could not be formed: a node could not listen, start, join or connect.
/// </summary>
public sealed class ClusterStartException(string message) : Exception(message);
