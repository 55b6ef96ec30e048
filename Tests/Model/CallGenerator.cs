using CsCheck;
using Emulator.Protocol;
using Emulator.Protocol.Ids;
using Emulator.Protocol.Processes;

namespace Emulator.Tests.Model;

/// <summary>
/// Random runs for the model-based test: 1-3 partitions, 2-4 declared processes (plus fork
/// children), 30-70 calls. To make most calls meaningful the generator runs a scratch
/// <see cref="ReferenceModel"/> as it goes: ids are drawn mostly from values earlier calls
/// returned, addresses mostly from the caller's live mappings, with a share of stray ids,
/// addresses and arguments so that every refusal is reached too. The model only steers the
/// choice of arguments; the run itself is plain data and is replayed on the systems compared.
/// </summary>
public static class CallGenerator
{
    public const int MinSteps = 30;
    public const int MaxSteps = 70;
    public const int MaxActors = 7;

    /// <summary>The CsCheck generator; a run's size is its number of steps.</summary>
    public static Gen<ModelRun> Runs { get; } = new RunGen();

    /// <summary>The run a seed stands for, the same every time.</summary>
    public static ModelRun ForSeed(ulong seed) => new RunBuilder(new PCG(1, seed)).Build();

    private sealed class RunGen : Gen<ModelRun>
    {
        public override ModelRun Generate(PCG pcg, Size? min, out Size size)
        {
            var run = new RunBuilder(pcg).Build();
            size = new Size((ulong)run.Steps.Count);
            return run;
        }
    }
}

/// <summary>Builds one run, step by step, against a scratch model.</summary>
internal sealed class RunBuilder(PCG random)
{
    private const ulong Page = Xpmem.PageSize;
    private const ulong Base = ModelAddressSpace.ChosenBase;

    /// <summary>
    /// Far above where chosen addresses go, so fixed mappings there rarely collide.
    /// </summary>
    private const ulong FixedArea = Base + 0x1000_0000;

    private readonly ReferenceModel _model = new();
    private readonly List<Actor> _actors = new();
    private readonly List<KnownSegment> _segments = new();
    private readonly List<KnownPermit> _permits = new();
    private readonly List<ModelStep> _steps = new();
    private FillCall? _lastFill;

    /// <summary>
    /// What a user would do next after the last call (get after make, attach after get...).
    /// </summary>
    private (Actor Actor, Func<Call> Call)? _followUp;
    private int _partitions;

    /// <summary>Modes other than 0600 for make: the permission classes of section 2.4.</summary>
    private static readonly ulong[] OtherModes =
        [0x100, 0x80, 0, 0x1B0, 0x1A4, 0x186, 0x1B6, 0x1FF, 0x24];

    private sealed record Actor(ModelActor Id, int Partition, int Pid);

    /// <summary>
    /// A segment some call made; <see cref="Live"/> until removed or its owner's teardown.
    /// </summary>
    private sealed record KnownSegment(long SegId, Actor Owner, ulong Address, ulong SizeBytes)
    {
        public bool Live { get; set; } = true;
    }

    /// <summary>
    /// A permit some get granted; <see cref="Live"/> until released or its holder's teardown.
    /// </summary>
    private sealed record KnownPermit(long ApId, Actor Holder, KnownSegment? Segment)
    {
        public bool Live { get; set; } = true;

        public bool Attachable => Live && Segment is { Live: true };
    }

    public ModelRun Build()
    {
        _partitions = 1 + Int(3);
        var raw = Chance(15);
        var specs = Enumerable.Range(0, 2 + Int(3))
            .Select(_ => new ProcessSpec(Int(_partitions), Uid(), Chance(80) ? 1000 : 1001))
            .ToList();
        var pids = _model.Start(_partitions, raw, specs);
        for (var i = 0; i < specs.Count; i++)
        {
            _actors.Add(new Actor(ModelActor.Declared(i), specs[i].Partition, pids[i]));
        }
        var steps = Between(CallGenerator.MinSteps, CallGenerator.MaxSteps);
        for (var i = 0; i < steps && _actors.Any(IsAlive); i++)
        {
            var (actor, call) = _followUp is { } next && IsAlive(next.Actor) && Chance(80)
                ? (next.Actor, next.Call())
                : NextStep();
            _followUp = null;
            _steps.Add(new ModelStep(actor.Id, call));
            Learn(i, actor, call, _model.Apply(actor.Partition, actor.Pid, call));
        }
        return new ModelRun(_partitions, raw, specs, _steps);
    }

    /// <summary>What a step does; drawn by weight, then steered towards what is missing.</summary>
    private enum Kind
    {
        Mmap, Munmap, Make, Remove, Get, Release, Attach, Detach,
        Fill, Check, Read, Write, Add32, Sum32, Copy, Fork, Open, Close, Version, Exit, Kill,
        Atomic,
    }

    /// <summary>
    /// Relative weights: XPMEM calls about half, memory calls most of the rest, process life a
    /// little (exits and kills rarely, or runs would end early).
    /// </summary>
    private static readonly (Kind Kind, int Weight)[] Weights =
    [
        (Kind.Mmap, 70), (Kind.Munmap, 30), (Kind.Make, 80), (Kind.Remove, 40),
        (Kind.Get, 100), (Kind.Release, 25), (Kind.Attach, 120), (Kind.Detach, 25),
        (Kind.Fill, 70), (Kind.Check, 50), (Kind.Read, 70), (Kind.Write, 70),
        (Kind.Add32, 40), (Kind.Sum32, 30), (Kind.Copy, 30), (Kind.Fork, 30),
        (Kind.Open, 20), (Kind.Close, 15), (Kind.Version, 15), (Kind.Exit, 10), (Kind.Kill, 10),
        (Kind.Atomic, 40),
    ];

    private void FollowUp(Actor actor, Func<Call> call) => _followUp = (actor, call);

    private (Actor, Call) NextStep()
    {
        var actor = PickActor();
        return (actor, NextCall(actor));
    }

    /// <summary>
    /// Mostly a live process, favouring those with attachments (they have most to do).
    /// </summary>
    private Actor PickActor()
    {
        var alive = _actors.Where(IsAlive).ToList();
        var attached = alive.Where(a => Mappings(a).Any(m => m.IsAttachment)).ToList();
        return Int(100) switch
        {
            < 3 => PickOf(_actors),
            < 35 when attached.Count > 0 => PickOf(attached),
            _ => PickOf(alive),
        };
    }

    private Call NextCall(Actor actor)
    {
        var roll = Int(Weights.Sum(w => w.Weight));
        var kind = Weights.First(w => (roll -= w.Weight) < 0).Kind;
        if (Chance(90))
        {
            kind = Steer(actor, kind);
        }
        return kind switch
        {
            Kind.Mmap => Mmap(actor),
            Kind.Munmap => Munmap(actor),
            Kind.Make => Make(actor),
            Kind.Remove => new RemoveCall(PickSegId(actor, own: true)),
            Kind.Get => Get(actor),
            Kind.Release => new ReleaseCall(PickApId(actor)),
            Kind.Attach => Attach(actor),
            Kind.Detach => new DetachCall(Detachable(actor)),
            Kind.Fill => Fill(actor),
            Kind.Check => Check(actor),
            Kind.Read => new ReadCall(Range(actor, 8).Address, Width()),
            Kind.Write => new WriteCall(Range(actor, 8).Address, Width(), random.Next64()),
            Kind.Add32 => Add32(actor),
            Kind.Sum32 => Sum32(actor),
            Kind.Copy => Copy(actor),
            Kind.Fork when _actors.Count < CallGenerator.MaxActors => new ForkCall(),
            Kind.Fork => new VersionCall(),
            Kind.Open => new OpenCall(),
            Kind.Close => new CloseCall(),
            Kind.Version => new VersionCall(),
            Kind.Exit => new ExitCall(Int(3)),
            Kind.Atomic => Atomic(actor),
            _ => new KillCall(Chance(50) ? Signal.SIGKILL : Signal.SIGTERM),
        };
    }

    /// <summary>
    /// A call that needs something the run does not have yet becomes the call that makes it:
    /// memory calls without memory map some, get without segments makes one, attach and
    /// release without a permit get one. This keeps most calls on live ids and mappings.
    /// </summary>
    private Kind Steer(Actor actor, Kind kind)
    {
        var hasMemory = Mappings(actor).Count > 0;
        var hasPermit = _permits.Any(p => p.Holder == actor && p.Live);
        var canAttach = _permits.Any(p => p.Holder == actor && p.Attachable);
        return kind switch
        {
            Kind.Munmap or Kind.Detach or Kind.Fill or Kind.Check or Kind.Read or Kind.Write
                or Kind.Add32 or Kind.Sum32 or Kind.Copy or Kind.Atomic when !hasMemory => Kind.Mmap,
            Kind.Make when !hasMemory => Kind.Mmap,
            Kind.Remove when !_segments.Any(s => s.Owner == actor && s.Live) => Kind.Make,
            Kind.Get when !_segments.Any(s => s.Live) => hasMemory ? Kind.Make : Kind.Mmap,
            Kind.Attach when !canAttach => _segments.Any(s => s.Live) ? Kind.Get : Kind.Make,
            Kind.Release when !hasPermit => _segments.Any(s => s.Live) ? Kind.Get : Kind.Make,
            _ => kind,
        };
    }

    private void Learn(int index, Actor actor, Call call, Outcome outcome)
    {
        if (!IsAlive(actor) || call is CloseCall)
        {
            Forget(actor);
        }
        if (outcome.Kind != OutcomeKind.Ok)
        {
            return;
        }
        switch (call)
        {
            case RemoveCall remove:
                var removedNow = _segments.Where(s => s.SegId == remove.SegId && s.Owner == actor);
                foreach (var removed in removedNow)
                {
                    removed.Live = false;
                }
                break;
            case ReleaseCall release:
                var releasedNow = _permits.Where(p => p.ApId == release.ApId && p.Holder == actor);
                foreach (var released in releasedNow)
                {
                    released.Live = false;
                }
                break;
            case MakeCall make:
                var size = make.SizeBytes == Xpmem.MaxAddrSize
                    ? Xpmem.TaskSize - make.Address
                    : make.SizeBytes;
                _segments.Add(new KnownSegment((long)outcome.Value, actor, make.Address, size));
                var getter = PickActor();
                var flags = Chance(85) ? (ulong)Xpmem.RdWr : Xpmem.RdOnly;
                FollowUp(getter, () => new GetCall((long)outcome.Value, flags, Xpmem.PermitMode));
                break;
            case GetCall get:
                var segment = _segments.LastOrDefault(s => s.SegId == get.SegId);
                var granted = new KnownPermit((long)outcome.Value, actor, segment);
                _permits.Add(granted);
                FollowUp(actor, () => Attach(actor, granted));
                break;
            case AttachCall:
                FollowUp(actor, () => Touch(actor));
                break;
            case ForkCall:
                var pid = (int)outcome.Value;
                var child = new Actor(ModelActor.ChildOf(index), actor.Partition, pid);
                _actors.Add(child);
                break;
            case FillCall fill:
                _lastFill = fill;
                break;
        }
    }

    /// <summary>The actor's thread group is gone (close, exit, signal): so are its ids.</summary>
    private void Forget(Actor actor)
    {
        _segments.Where(s => s.Owner == actor).ToList().ForEach(s => s.Live = false);
        _permits.Where(p => p.Holder == actor).ToList().ForEach(p => p.Live = false);
    }

    // ---- XPMEM calls ----

    private MakeCall Make(Actor actor)
    {
        (ulong Address, ulong Size) range = Int(100) switch
        {
            < 15 => (0UL, Xpmem.MaxAddrSize),
            < 86 => PageRange(actor, attachment: false),
            < 90 => PageRange(actor, attachment: true),
            < 95 => (StrayAddress() & Xpmem.PageMask, (ulong)(1 + Int(4)) * Page),
            _ => ((ulong)Int(4) * Page + (ulong)Int(2), (ulong)Int(3) * Page + (ulong)Int(2) * 100),
        };
        var mode = Int(100) switch
        {
            < 82 => 0x180UL,
            < 97 => PickOf(OtherModes),
            _ => 0x200UL,
        };
        var permitType = Chance(97) ? Xpmem.PermitMode : Int(3) * 2;
        return new MakeCall(range.Address, range.Size, permitType, mode);
    }

    private GetCall Get(Actor actor)
    {
        var flags = Int(100) switch
        {
            < 65 => (ulong)Xpmem.RdWr,
            < 80 => (ulong)Xpmem.RdOnly,
            < 90 => 0UL,
            < 95 => 3UL,
            _ => 4UL << Int(4),
        };
        return new GetCall(PickSegId(actor, own: false), flags, Chance(97) ? Xpmem.PermitMode : 0);
    }

    private AttachCall Attach(Actor actor, KnownPermit? chosen = null)
    {
        var permit = chosen ?? (Chance(92) ? PickPermit(actor) : null);
        // Segids and apids share a layout, so a segid used as an apid is a plausible mistake.
        var apId = permit?.ApId
            ?? (Chance(30) && _segments.Count > 0 ? PickOf(_segments).SegId : StrayId());
        var (offset, size) = AttachWindow(permit?.Segment);
        ulong? at = Int(100) switch
        {
            < 80 => null,
            < 88 => PageRange(actor, attachment: false).Address,
            < 92 => PageRange(actor, attachment: true).Address,
            _ => FixedArea + (ulong)Int(16) * Page,
        };
        return new AttachCall(apId, offset, size, at);
    }

    /// <summary>An offset and size that fit the segment most of the time.</summary>
    private (ulong Offset, ulong Size) AttachWindow(KnownSegment? segment)
    {
        var pages = (ulong)(1 + Int(3));
        if (segment is null)
        {
            return ((ulong)Int(2) * Page, pages * Page);
        }
        ulong offset;
        if (segment.SizeBytes > 1UL << 32)
        {
            // A whole-address-space segment: attach where the owner has memory, as real users do.
            var (address, bytes) = PageRange(segment.Owner, attachment: false);
            offset = address - segment.Address;
            pages = Math.Min(pages, bytes / Page);
        }
        else
        {
            var segmentPages = Math.Max(segment.SizeBytes / Page, 1);
            offset = (ulong)Int((int)Math.Min(segmentPages, 16)) * Page;
            pages = Math.Min(pages, Math.Max(segmentPages - offset / Page, 1));
        }
        var size = pages * Page;
        return Int(100) switch
        {
            < 80 => (offset, size),
            < 88 => (offset, size - Page + 1 + (ulong)Int((int)Page - 1)),
            < 95 => (offset, size + Page),
            < 98 => (offset + 0x10, size),
            _ => (offset, 0),
        };
    }

    private ulong Detachable(Actor actor) => Int(100) switch
    {
        < 75 => Range(actor, 1, attachment: true).Address,
        < 90 => Range(actor, 1, attachment: false).Address,
        _ => StrayAddress(),
    };

    /// <summary>
    /// Mostly a live segment (the actor's own first if <paramref name="own"/>), sometimes a dead or
    /// stray id.
    /// </summary>
    private long PickSegId(Actor actor, bool own)
    {
        var live = _segments.Where(s => s.Live).ToList();
        var mine = live.Where(s => s.Owner == actor).ToList();
        return Int(100) switch
        {
            < 80 when own && mine.Count > 0 && Chance(85) => PickOf(mine).SegId,
            < 80 when live.Count > 0 => PickOf(live).SegId,
            < 90 when _segments.Count > 0 => PickOf(_segments).SegId,
            _ => StrayId(),
        };
    }

    private long PickApId(Actor actor) =>
        PickPermit(actor) is { } permit && Chance(90) ? permit.ApId : StrayId();

    /// <summary>
    /// Mostly one of the actor's own permits on a live segment; sometimes any permit at all.
    /// </summary>
    private KnownPermit? PickPermit(Actor actor)
    {
        var attachable = _permits.Where(p => p.Holder == actor && p.Attachable).ToList();
        var mine = _permits.Where(p => p.Holder == actor && p.Live).ToList();
        return Int(100) switch
        {
            < 88 when attachable.Count > 0 => PickOf(attachable),
            < 90 when mine.Count > 0 => PickOf(mine),
            _ when _permits.Count > 0 => PickOf(_permits),
            _ => null,
        };
    }

    /// <summary>
    /// An id nobody was given: mostly well-formed (unknown owner or uniq), some invalid.
    /// </summary>
    private long StrayId() => Int(10) switch
    {
        0 => 0,
        1 => -1 - Int(3),
        2 => 12345,
        3 => XpmemId.Compose(new PartitionId(_partitions), ReferenceModel.FirstPid, 1),
        _ => XpmemId.Compose(
            new PartitionId(Int(_partitions)), ReferenceModel.FirstPid + Int(4), 1 + Int(3)),
    };

    // ---- memory calls ----

    private MmapCall Mmap(Actor actor)
    {
        var size = Chance(85) ? (ulong)(1 + Int(4)) * Page : (ulong)Int(3 * (int)Page);
        ulong? at = Int(100) switch
        {
            < 80 => null,
            < 90 => FixedArea + (ulong)Int(16) * Page,
            < 97 => PageRange(actor, attachment: false).Address,
            _ => StrayAddress(),
        };
        return new MmapCall(at, size);
    }

    private MunmapCall Munmap(Actor actor)
    {
        var (address, size) = Int(100) switch
        {
            < 85 => PageRange(actor, attachment: false),
            < 90 => PageRange(actor, attachment: true),
            _ => (StrayAddress(), (ulong)Int(3) * Page + (ulong)Int(2)),
        };
        return new MunmapCall(address, size);
    }

    /// <summary>
    /// A first use of a fresh attachment: a store, a load, a pattern or an increment.
    /// </summary>
    private Call Touch(Actor actor) => Int(4) switch
    {
        0 => Fill(actor),
        1 => new ReadCall(Range(actor, 8, attachment: true).Address, Width()),
        2 => new WriteCall(Range(actor, 8, attachment: true).Address, Width(), random.Next64()),
        _ => Add32(actor),
    };

    private FillCall Fill(Actor actor)
    {
        var (address, size) = Range(actor, 2 * Page);
        return new FillCall(address, size, Pattern());
    }

    private CheckCall Check(Actor actor)
    {
        if (_lastFill is { } fill && Chance(50))
        {
            return new CheckCall(fill.Address, fill.SizeBytes, fill.Pattern);
        }
        var (address, size) = Range(actor, 2 * Page);
        return new CheckCall(address, size, Chance(70) ? new ZeroPattern() : Pattern());
    }

    private Add32Call Add32(Actor actor)
    {
        var (address, size) = Range(actor, Page);
        return new Add32Call(address, size, (uint)Int(1000));
    }

    /// <summary>
    /// fetch-add32, cas32 or swap32 on a word, nearly always aligned (a misaligned one is SIGBUS);
    /// a cas32 often expects 0, which untouched memory holds, so both of its ends come up.
    /// </summary>
    private Atomic32Call Atomic(Actor actor)
    {
        var address = Range(actor, 4).Address;
        address = Chance(95) ? address & ~3UL : address | 2;
        return Int(3) switch
        {
            0 => new FetchAdd32Call(address, Chance(20) ? uint.MaxValue : (uint)Int(1000)),
            1 => new Cas32Call(address, Chance(60) ? 0 : (uint)Int(4), (uint)Int(1000)),
            _ => new Swap32Call(address, (uint)Int(1000)),
        };
    }

    private Sum32Call Sum32(Actor actor)
    {
        var (address, size) = Range(actor, 2 * Page);
        return new Sum32Call(address, size);
    }

    private CopyCall Copy(Actor actor)
    {
        var (source, size) = Range(actor, Page);
        var (destination, room) = Range(actor, Page);
        return new CopyCall(destination, source, Chance(85) ? Math.Min(size, room) : size);
    }

    private Pattern Pattern() => Int(4) switch
    {
        0 => new ZeroPattern(),
        1 => new BytePattern((byte)Int(256)),
        2 => new Index32Pattern((uint)Int(100)),
        _ => new Lfsr32Pattern(random.Next()),
    };

    private int Width() => 1 << Int(4);

    // ---- addresses ----

    /// <summary>
    /// A byte range inside one of the actor's mappings (of either kind), at most
    /// <paramref name="maxBytes"/> long and mostly ending inside it; sometimes a stray one.
    /// </summary>
    private (ulong Address, ulong Size) Range(Actor actor, ulong maxBytes, bool? attachment = null)
    {
        var all = Mappings(actor);
        // Attachments are fewer than plain mappings but are what the test is about: favour them.
        attachment ??= all.Any(m => m.IsAttachment) && Chance(65) ? true : null;
        var mappings = all.Where(m => attachment is null || m.IsAttachment == attachment).ToList();
        var size = 1 + (ulong)Int((int)maxBytes);
        if (mappings.Count == 0 || Chance(3))
        {
            return (StrayAddress() + (ulong)Int(64), size);
        }
        var mapping = PickOf(mappings);
        var start = mapping.Address + (ulong)Int((int)Math.Min(mapping.SizeBytes, 1UL << 20));
        if (Chance(60))
        {
            start &= ~3UL;
        }
        var room = mapping.Address + mapping.SizeBytes - start;
        return (start, Chance(90) ? Math.Min(size, room) : size);
    }

    /// <summary>
    /// A page-aligned range inside one of the actor's mappings of the kind asked for.
    /// </summary>
    private (ulong Address, ulong Size) PageRange(Actor actor, bool attachment)
    {
        var mappings = Mappings(actor).Where(m => m.IsAttachment == attachment).ToList();
        if (mappings.Count == 0)
        {
            var address = Chance(50) ? StrayAddress() & Xpmem.PageMask : FixedArea;
            return (address, (ulong)(1 + Int(2)) * Page);
        }
        var mapping = PickOf(mappings);
        var pages = (int)Math.Min(mapping.SizeBytes / Page, 64);
        var first = Int(pages);
        return (mapping.Address + (ulong)first * Page, (ulong)(1 + Int(pages - first)) * Page);
    }

    private ulong StrayAddress() => Int(6) switch
    {
        0 => 0,
        1 => 0x1000,
        2 => Xpmem.TaskSize - Page,
        3 => Base + (ulong)Int(64) * Page,
        4 => FixedArea + (ulong)Int(16) * Page + (ulong)Int(3),
        _ => Base + 0x10_0000 + (ulong)Int(8) * Page,
    };

    // ---- randomness ----

    private int Int(int bound) => bound <= 1 ? 0 : (int)random.Next((uint)bound);

    private int Between(int least, int most) => least + Int(most - least + 1);

    private bool Chance(int percent) => Int(100) < percent;

    private T PickOf<T>(IReadOnlyList<T> items) => items[Int(items.Count)];

    private int Uid() => Int(100) switch
    {
        < 70 => 1000,
        < 85 => 1001,
        _ => 0,
    };

    private bool IsAlive(Actor actor) => _model.IsAlive(actor.Partition, actor.Pid);

    private IReadOnlyList<ModelMapping> Mappings(Actor actor) =>
        _model.Mappings(actor.Partition, actor.Pid);
}
