using Akka.Actor;
using Akka.TestKit;
using BenchmarkDotNet.Attributes;
using Emulator.Partitions;
using Emulator.Partitions.Checks;
using Emulator.Partitions.Tracing;
using Emulator.Partitions.Xpc;
using Emulator.Protocol.Ids;

namespace Emulator.Benchmarks;

/// <summary>
/// What tracing costs when no trace is written (<see cref="NoTrace"/>, every run without
/// <c>--trace</c>): an actor's event emission (<c>EmulatorActor.Emit</c>: the checkers, then the
/// trace if on) beside the checkers alone, and the hook every delivery of every machine actor
/// runs (<c>EmulatorActor.AroundReceive</c>). Off, the trace's share should be a branch: the
/// same time as the checkers alone, and no bytes allocated.
/// </summary>
[MemoryDiagnoser]
public class TraceOffBenchmarks
{
    private static readonly PartitionId Home = new(0);

    private ActorSystem _system = null!;
    private MachineContext _machine = null!;
    private EmittingActor _actor = null!;
    private readonly object _message = new();

    /// <summary>Emitted once per fault; no checker keeps anything of it.</summary>
    private readonly FaultStarted _event = new(new TgId(Home, 100), 0x7f00_0000_1000);

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("trace-off-bench", TestKitBase.DefaultConfig);
        _machine = new MachineContext(EmulatorSettings.Default, new MachineMonitor(),
            NoTrace.Instance);
        var port = new XpcPort(Home, new MachineWiring());
        var machine = _machine;
        _actor = new TestActorRef<EmittingActor>(_system,
            Props.Create(() => new EmittingActor(machine, port))).UnderlyingActor;
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait();

    /// <summary>The checkers alone: what an emission costs with no trace at all.</summary>
    [Benchmark(Baseline = true)]
    public bool Observe() => _machine.Monitor.Observe(_event, _machine.Lives, Home, 1);

    /// <summary>An actor's emission, trace off: the checkers and the trace's branch.</summary>
    [Benchmark]
    public void Emit() => _actor.EmitNow(_event);

    /// <summary>A delivery's hook, trace off: the partition's life, the trace's branch.</summary>
    [Benchmark]
    public bool Deliver() => _actor.DeliverNow(_message);

    /// <summary>
    /// A machine actor on partition 0, as a thread group is; it does what its handlers do.
    /// </summary>
    public sealed class EmittingActor(MachineContext machine, XpcPort home)
        : EmulatorActor(machine, home)
    {
        private static readonly Receive Handled = _ => true;

        public void EmitNow(MachineEvent e) => Emit(e);

        public bool DeliverNow(object message) => AroundReceive(Handled, message);

        protected override bool Receive(object message) => true;
    }
}
