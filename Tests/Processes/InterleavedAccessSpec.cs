// Proves memory interleaves as hardware does, on the real actors in sim mode under hundreds of
// seeds: three processes (the owner and two local attachers, one page the same frame for all)
// add 1 to every word of a 128-word range of one page at once with add32. A load and its store
// are separate scheduling points, so updates are lost, and only in whole grain units: at word
// grain some seed loses a word while its neighbours in the same range kept all three adds, at
// line grain every 32-word line is one value and some seed leaves two lines different, and at
// page grain the whole range is one value in every seed, yet some seed loses updates (the load
// and the store of the page are still two points). Every word ends between 1 and 3, and every
// checker holds. fetch-add32 in the same race never loses one: every word ends at exactly 3, and
// the old values each process saw are the three distinct values 0, 1, 2. Failures name the
// seed; `xpmem-emu run --set access-grain=...` shows the same race as a scenario
// (examples/atomics.hocon).
using Akka.Actor;
using Emulator.Host.Machines;
using Emulator.Host.Sim;
using Emulator.Partitions.Memory;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Processes;
using Xunit;
using Xunit.Abstractions;

namespace Emulator.Tests.Processes;

public sealed class InterleavedAccessSpec(ITestOutputHelper output) : IDisposable
{
    private const int Seeds = 300;
    private const ulong Range = 0x10000;
    private const int Words = 128;
    private const int Racers = 3;

    private readonly Dictionary<AccessGrain, ActorSystem> _systems = [];

    public static TheoryData<AccessGrain> Grains =>
        [AccessGrain.Word, AccessGrain.Line, AccessGrain.Page];

    [Theory]
    [MemberData(nameof(Grains))]
    public void Racing_add32s_must_lose_updates_only_in_whole_grain_units(AccessGrain grain)
    {
        var wordsPerUnit = Math.Min(Words, grain.Bytes() / 4);
        var lossSeeds = new List<int>();
        var splitSeeds = new List<int>();
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var words = Race(grain, seed, k => new Add32Call(k, Words * 4, 1)).Words;
            Assert.True(words.All(w => w is >= 1 and <= Racers),
                $"{grain} grain, seed {seed}: a word outside 1..3: {Show(words)}");
            var units = words.Chunk(wordsPerUnit).ToList();
            Assert.True(units.All(u => u.All(w => w == u[0])),
                $"{grain} grain, seed {seed}: an update lost within a unit of "
                + $"{wordsPerUnit} words: {Show(words)}");
            if (words.Any(w => w < Racers)) lossSeeds.Add(seed);
            if (units.Any(u => u[0] < Racers) && units.Any(u => u[0] == Racers))
                splitSeeds.Add(seed);
        }
        output.WriteLine($"{grain} grain: {lossSeeds.Count} of {Seeds} seeds lost updates, "
            + $"{splitSeeds.Count} in some units of the range and not in others");
        Assert.True(lossSeeds.Count > 0,
            $"{grain} grain: no seed of 1..{Seeds} lost an update: the load and the store of a "
            + "unit never had another process between them");
        if (grain != AccessGrain.Page)
        {
            Assert.True(splitSeeds.Count > 0,
                $"{grain} grain: in seeds 1..{Seeds} no unit lost an update while another of "
                + $"the same range kept all {Racers} (losses in seeds "
                + $"{string.Join(", ", lossSeeds.Take(20))})");
        }
    }

    [Fact]
    public void Racing_fetch_add32s_must_never_lose_an_update()
    {
        for (var seed = 1; seed <= Seeds / 3; seed++)
        {
            // Each racer fetch-adds word 5 of the range (one word: an atomic is one point).
            var (words, olds) = Race(AccessGrain.Word, seed,
                k => new FetchAdd32Call(k + 5 * 4, 1));
            Assert.True(words[5] == Racers, $"seed {seed}: word 5 is {words[5]}, not {Racers}");
            Assert.True(olds.Order().SequenceEqual([0UL, 1UL, 2UL]),
                $"seed {seed}: the racers saw {string.Join(", ", olds)} before their adds");
        }
    }

    /// <summary>
    /// The owner maps and exports one page; two processes on its partition attach it; then all
    /// three run <paramref name="call"/> (made from the address each sees the range at) at once.
    /// Returns the range's words, read by the owner afterwards, and the three calls' values.
    /// </summary>
    private (uint[] Words, ulong[] Values) Race(AccessGrain grain, int seed,
        Func<ulong, Call> call)
    {
        var config = Emulator.Host.Settings.Load($"xpmem-emulator.access-grain = {grain.ToString().ToLower()}");
        if (!_systems.TryGetValue(grain, out var system))
            _systems[grain] = system = MachineDrivers.CreateSystem(RunMode.Sim, config);
        using var machine = new SimMachine(system, partitions: 1, seed, config);
        var credentials = new Credentials(1000, 1000);
        var processes = Enumerable.Range(0, Racers)
            .Select(_ => machine.Spawn(0, credentials, LibraryMode.Libxpmem)
                ?? throw new InvalidOperationException($"seed {seed}: a process did not start"))
            .ToList();
        ulong Do(TgId process, Call c)
        {
            var outcome = machine.Call(process, c);
            Assert.True(outcome is { Kind: OutcomeKind.Ok },
                $"{grain} grain, seed {seed}: {c} ended {outcome}");
            return outcome!.Value.Value;
        }
        var owner = processes[0];
        Do(owner, new MmapCall(Range, Xpmem.PageSize));
        var segment = Do(owner, new MakeCall(Range, Xpmem.PageSize, Xpmem.PermitMode, 0x1b6));
        var addresses = new List<ulong> { Range };
        foreach (var attacher in processes.Skip(1))
        {
            var permit = Do(attacher, new GetCall((long)segment, 2, Xpmem.PermitMode));
            addresses.Add(Do(attacher, new AttachCall((long)permit, 0, Xpmem.PageSize, null)));
        }

        var racing = processes.Select((p, i) => machine.Start(p, call(addresses[i]))).ToList();
        var values = new ulong[Racers];
        for (var answered = 0; answered < Racers; answered++)
        {
            Assert.True(machine.TryNextReply(SimMachine.CallTimeLimit, out var reply),
                $"{grain} grain, seed {seed}: the race got stuck");
            var (id, outcome) = SimMachine.OutcomeOf(reply);
            Assert.True(outcome.Kind == OutcomeKind.Ok,
                $"{grain} grain, seed {seed}: a racer ended {outcome}");
            values[racing.IndexOf(id)] = outcome.Value;
        }

        var words = new uint[Words];
        for (var i = 0; i < Words; i += 2)
        {
            var pair = Do(owner, new ReadCall(Range + (ulong)i * 4, 8));
            words[i] = (uint)pair;
            words[i + 1] = (uint)(pair >> 32);
        }
        var broken = machine.Finish(processes).Where(r => !r.Held).ToList();
        Assert.True(broken.Count == 0 && machine.Monitor.Failures.Count == 0,
            $"{grain} grain, seed {seed}: "
            + string.Join("; ", broken.Select(r => $"{r.Name}: {r.Saw}")
                .Concat(machine.Monitor.Failures)));
        return (words, values);
    }

    private static string Show(uint[] words) => string.Join("", words);

    public void Dispose()
    {
        foreach (var system in _systems.Values) MachineDrivers.ShutdownSystem(RunMode.Sim, system);
    }
}
