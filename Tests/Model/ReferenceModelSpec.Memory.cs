using Emulator.Protocol;
using Emulator.Protocol.Processes;
using Xunit;

namespace Emulator.Tests.Model;

// The memory side: the classic round trip, faults (rule 7), invalidation (rule 8), teardown
// (rule 12), out-of-band unmaps (rule 14), pin accounting (rule 15), fork and copy-on-write,
// cross-partition use, mmap/munmap and the access calls with their patterns.
public sealed partial class ReferenceModelSpec
{
    [Fact]
    public void ReferenceModel_must_run_the_classic_make_get_attach_increment_check_round_trip()
    {
        var (model, p) = Machine(1, raw: false, 2);
        var (owner, user) = (p[0], p[1]);
        var buffer = owner.Mmap(4 * Page);
        owner.Do(new FillCall(buffer, 4 * Page, new Index32Pattern(0))).ShouldBeOk();
        var segId = owner.Make(buffer, 4 * Page);
        var apId = user.Get(segId);
        var at = user.Attach(apId, 0, 4 * Page);

        user.Do(new Add32Call(at, 4 * Page, 1)).ShouldBeOk();

        owner.Do(new CheckCall(buffer, 4 * Page, new Index32Pattern(1))).ShouldBeOk();
        const ulong words = 4 * Page / 4;
        Assert.Equal(words * (words + 1) / 2, user.Do(new Sum32Call(at, 4 * Page)).ShouldBeOk());
        Assert.Equal(4, model.PinnedNow(0, owner.Pid));
        Assert.Equal(4, model.MappedNow(0, user.Pid));
        user.Do(new DetachCall(at)).ShouldBeOk();
        user.Do(new ReleaseCall(apId)).ShouldBeOk();
        owner.Do(new RemoveCall(segId)).ShouldBeOk();
        Assert.Equal(new PinCounts(4, 4), model.Pins);
        Assert.Equal(0, model.PinnedNow());
    }

    [Fact]
    public void ReferenceModel_must_behave_across_partitions_exactly_as_within_one()
    {
        var local = CrossPartitionScenario(userPartition: 0);
        var remote = CrossPartitionScenario(userPartition: 1);

        Assert.Equal(local.Outcomes.Count, remote.Outcomes.Count);
        for (var i = 0; i < local.Outcomes.Count; i++)
        {
            var (a, b) = (local.Outcomes[i], remote.Outcomes[i]);
            var same = a.Kind == b.Kind && a.Errno == b.Errno && a.Signal == b.Signal;
            Assert.True(same, $"step {i}: {a} vs {b}");
            if (i != local.GetStep)
            {
                Assert.True(a.Value == b.Value, $"step {i}: {a} vs {b}");
            }
        }
        Assert.Equal(local.Pins, remote.Pins);
    }

    /// <summary>
    /// Owner on partition 0, user on <paramref name="userPartition"/>; every outcome in order.
    /// </summary>
    private static (List<Outcome> Outcomes, int GetStep, PinCounts Pins) CrossPartitionScenario(
        int userPartition)
    {
        var (model, p) = MachineOn(2, raw: false, 0, userPartition);
        var (owner, user) = (p[0], p[1]);
        var outcomes = new List<Outcome>();
        Outcome Record(Proc process, Call call)
        {
            outcomes.Add(process.Do(call));
            return outcomes[^1];
        }
        var buffer = Record(owner, new MmapCall(null, 2 * Page)).Value;
        Record(owner, new FillCall(buffer, 2 * Page, new Lfsr32Pattern(7)));
        var segId = (long)Record(owner, new MakeCall(buffer, 2 * Page, 1, Mode(644))).Value;
        Record(user, new GetCall(segId, RdWr, 1));
        var getStep = outcomes.Count - 1;
        var apId = (long)outcomes[getStep].Value;
        var at = Record(user, new AttachCall(apId, 0, 2 * Page, null)).Value;
        Record(user, new CheckCall(at, 2 * Page, new Lfsr32Pattern(7)));
        Record(user, new WriteCall(at + 8, 8, 0x1122334455667788));
        Record(owner, new ReadCall(buffer + 8, 8));
        Record(owner, new MunmapCall(buffer + Page, Page));
        Record(user, new ReadCall(at, 4));
        Record(user, new RemoveCall(segId));
        Record(owner, new RemoveCall(segId));
        Record(user, new ReadCall(at + Page, 4));
        return (outcomes, getStep, model.Pins);
    }

    // ---- faults (rule 7) ----

    [Fact]
    public void ReferenceModel_must_show_the_attacher_the_owners_bytes_both_ways()
    {
        var (_, p) = Machine(1, raw: false, 2);
        var buffer = p[0].Mmap(2 * Page);
        p[0].Write32(buffer + Page + 4, 0xCAFE);
        var at = p[1].Attach(p[1].Get(p[0].Make(buffer, 2 * Page)), 0, 2 * Page);

        Assert.Equal(0xCAFEu, p[1].Read32(at + Page + 4));
        p[1].Write32(at, 0xBEEF);
        Assert.Equal(0xBEEFu, p[0].Read32(buffer));
        p[0].Write32(buffer, 0xF00D);
        Assert.Equal(0xF00Du, p[1].Read32(at));
    }

    [Fact]
    public void ReferenceModel_must_allocate_an_untouched_source_page_zero_filled_in_the_owner()
    {
        var (model, p) = Machine(1, raw: false, 2);
        var buffer = p[0].Mmap(Page);
        var at = p[1].Attach(p[1].Get(p[0].Make(buffer, Page)), 0, Page);

        Assert.Equal(0u, p[1].Read32(at + 100));
        p[1].Write32(at + 100, 77);

        Assert.Equal(77u, p[0].Read32(buffer + 100));
        Assert.Equal(1, model.PinnedNow(0, p[0].Pid));
    }

    [Fact]
    public void ReferenceModel_must_SIGBUS_only_the_attacher_that_touches_a_source_hole()
    {
        var (model, p) = Machine(1, raw: false, 2);
        var buffer = p[0].Mmap(Page);
        var at = p[1].Attach(p[1].Get(p[0].Make(buffer, 2 * Page)), 0, 2 * Page);
        p[1].Write32(at, 1);

        p[1].Do(new ReadCall(at + Page, 4)).ShouldBeSignalled(Signal.SIGBUS);

        Assert.False(p[1].Alive);
        Assert.True(p[0].Alive);
        Assert.Equal(1u, p[0].Read32(buffer));
        Assert.True(model.Pins.Balanced);
    }

    [Fact]
    public void ReferenceModel_must_SIGBUS_a_touch_whose_source_is_itself_an_attachment()
    {
        var (_, p) = Machine(1, raw: false, 3);
        var buffer = p[0].Mmap(Page);
        var at = p[1].Attach(p[1].Get(p[0].Make(buffer, Page)), 0, Page);
        var reexported = p[2].Attach(p[2].Get(p[1].Make(at, Page)), 0, Page);

        p[2].Do(new ReadCall(reexported, 4)).ShouldBeSignalled(Signal.SIGBUS);

        Assert.True(p[1].Alive);
    }

    // ---- invalidation (rule 8) ----

    [Fact]
    public void ReferenceModel_must_zap_attachers_when_the_owner_unmaps_so_they_SIGBUS_next()
    {
        var (model, p) = Machine(1, raw: false, 2);
        var buffer = p[0].Mmap(2 * Page);
        var at = p[1].Attach(p[1].Get(p[0].Make(buffer, 2 * Page)), 0, 2 * Page);
        p[1].Do(new FillCall(at, 2 * Page, new BytePattern(3))).ShouldBeOk();

        p[0].Do(new MunmapCall(buffer + Page, Page)).ShouldBeOk();

        Assert.Equal(new PinCounts(2, 1), model.Pins);
        Assert.Equal(0x03030303u, p[1].Read32(at));
        p[1].Do(new ReadCall(at + Page, 4)).ShouldBeSignalled(Signal.SIGBUS);
        Assert.True(model.Pins.Balanced);
    }

    [Fact]
    public void ReferenceModel_must_show_attachers_the_new_page_after_the_owner_remaps()
    {
        var (model, p) = Machine(1, raw: false, 2);
        var buffer = p[0].Mmap(Page);
        var at = p[1].Attach(p[1].Get(p[0].Make(buffer, Page)), 0, Page);
        p[1].Write32(at, 8);

        p[0].Mmap(Page, at: buffer).ShouldEqual(buffer);

        Assert.Equal(new PinCounts(1, 1), model.Pins);
        Assert.Equal(0u, p[1].Read32(at));
        Assert.Equal(new PinCounts(2, 1), model.Pins);
        p[0].Write32(buffer, 6);
        Assert.Equal(6u, p[1].Read32(at));
    }

    [Fact]
    public void ReferenceModel_must_show_attachers_the_owners_new_page_after_fork_not_the_childs()
    {
        var (model, p) = Machine(1, raw: false, 2);
        var (owner, user) = (p[0], p[1]);
        var buffer = owner.Mmap(2 * Page);
        owner.Write32(buffer, 1);
        owner.Write32(buffer + Page, 1);
        var at = user.Attach(user.Get(owner.Make(buffer, 2 * Page)), 0, 2 * Page);
        // Page 0 is pinned before the fork (the child gets a copy at once); page 1 is not
        // (shared copy-on-write until someone writes it).
        Assert.Equal(1u, user.Read32(at));

        var child = owner.Fork();
        owner.Write32(buffer, 2);
        owner.Write32(buffer + Page, 2);

        Assert.Equal(2u, user.Read32(at));
        Assert.Equal(2u, user.Read32(at + Page));
        Assert.Equal(1u, child.Read32(buffer));
        Assert.Equal(1u, child.Read32(buffer + Page));
        child.Write32(buffer, 3);
        child.Write32(buffer + Page, 3);
        Assert.Equal(2u, user.Read32(at));
        Assert.Equal(2u, user.Read32(at + Page));
        Assert.Equal(2, model.PinnedNow(0, owner.Pid));
    }

    [Fact]
    public void ReferenceModel_must_give_the_owner_a_private_copy_when_an_attacher_pins_a_shared_page()
    {
        var (_, p) = Machine(1, raw: false, 2);
        var (owner, user) = (p[0], p[1]);
        var buffer = owner.Mmap(Page);
        owner.Write32(buffer, 1);
        var at = user.Attach(user.Get(owner.Make(buffer, Page)), 0, Page);
        var child = owner.Fork();

        user.Write32(at, 5);

        Assert.Equal(5u, owner.Read32(buffer));
        Assert.Equal(1u, child.Read32(buffer));
    }

    [Fact]
    public void ReferenceModel_must_keep_a_dead_parents_shared_pages_for_the_child()
    {
        var (_, p) = Machine(1, raw: false, 1);
        var buffer = p[0].Mmap(Page);
        p[0].Write32(buffer, 42);
        var child = p[0].Fork();

        p[0].Do(new ExitCall(0)).ShouldBeOk();

        Assert.Equal(42u, child.Read32(buffer));
        child.Write32(buffer, 43);
        Assert.Equal(43u, child.Read32(buffer));
    }

    // ---- teardown (rule 12) ----

    [Fact]
    public void ReferenceModel_must_tear_down_an_exiting_owner_so_attachers_SIGBUS_and_keep_permits()
    {
        var (model, p) = MachineOn(2, raw: false, 0, 1, 1);
        var buffer = p[0].Mmap(Page);
        var segId = p[0].Make(buffer, Page);
        var apId = p[1].Get(segId);
        var at = p[1].Attach(apId, 0, Page);
        p[1].Write32(at, 1);
        var otherAt = p[2].Attach(p[2].Get(segId), 0, Page);

        p[0].Do(new ExitCall(0)).ShouldBeOk();

        Assert.True(model.Pins.Balanced);
        Assert.Equal(0, model.PinnedNow(0));
        p[1].Do(new ReleaseCall(apId)).ShouldBeOk();
        p[2].Do(new ReadCall(otherAt, 4)).ShouldBeSignalled(Signal.SIGBUS);
    }

    [Fact]
    public void ReferenceModel_must_release_an_exiting_attachers_permits_and_unpin_its_pages()
    {
        var (model, p) = Machine(1, raw: false, 2);
        var buffer = p[0].Mmap(2 * Page);
        var segId = p[0].Make(buffer, 2 * Page);
        var at = p[1].Attach(p[1].Get(segId), 0, 2 * Page);
        p[1].Do(new FillCall(at, 2 * Page, new BytePattern(9))).ShouldBeOk();

        p[1].Do(new KillCall(Signal.SIGTERM)).ShouldBeOk();

        Assert.Equal(new PinCounts(2, 2), model.Pins);
        p[0].Do(new CheckCall(buffer, 2 * Page, new BytePattern(9))).ShouldBeOk();
        p[0].Do(new RemoveCall(segId)).ShouldBeOk();
    }

    [Fact]
    public void ReferenceModel_must_tear_down_a_process_killed_by_SIGSEGV()
    {
        var (model, p) = Machine(1, raw: false, 2);
        var buffer = p[0].Mmap(Page);
        var segId = p[0].Make(buffer, Page);
        var at = p[1].Attach(p[1].Get(segId), 0, Page);
        p[1].Write32(at, 1);

        p[0].Do(new ReadCall(0x1000, 1)).ShouldBeSignalled(Signal.SIGSEGV);

        Assert.False(p[0].Alive);
        Assert.True(model.Pins.Balanced);
        p[1].Do(new ReadCall(at, 4)).ShouldBeSignalled(Signal.SIGBUS);
    }

    // ---- out-of-band unmap (rule 14) ----

    [Theory]
    [InlineData(0, 3)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    public void ReferenceModel_must_SIGKILL_a_process_that_munmaps_part_of_an_attachment(int firstPage, int pages)
    {
        var (model, p) = Machine(1, raw: false, 2);
        var buffer = p[0].Mmap(3 * Page);
        var segId = p[0].Make(buffer, 3 * Page);
        var at = p[1].Attach(p[1].Get(segId), 0, 3 * Page);
        p[1].Do(new FillCall(at, 3 * Page, new BytePattern(1))).ShouldBeOk();

        p[1].Do(new MunmapCall(at + (ulong)firstPage * Page, (ulong)pages * Page))
            .ShouldBeSignalled(Signal.SIGKILL);

        Assert.False(p[1].Alive);
        Assert.Equal(new PinCounts(3, 3), model.Pins);
        p[0].Do(new CheckCall(buffer, 3 * Page, new BytePattern(1))).ShouldBeOk();
    }

    [Fact]
    public void ReferenceModel_must_SIGKILL_a_process_whose_fixed_mmap_replaces_an_attachment()
    {
        var (model, p) = Machine(1, raw: false, 2);
        var buffer = p[0].Mmap(Page);
        var at = p[1].Attach(p[1].Get(p[0].Make(buffer, Page)), 0, Page);
        p[1].Write32(at, 1);

        p[1].Do(new MmapCall(at, Page)).ShouldBeSignalled(Signal.SIGKILL);

        Assert.False(p[1].Alive);
        Assert.True(model.Pins.Balanced);
    }

    // ---- pins (rule 15) ----

    [Fact]
    public void ReferenceModel_must_pin_a_page_once_per_attachment_until_it_is_zapped()
    {
        var (model, p) = Machine(1, raw: false, 2);
        var buffer = p[0].Mmap(3 * Page);
        var apId = p[1].Get(p[0].Make(buffer, 3 * Page));
        var first = p[1].Attach(apId, 0, 3 * Page);
        var second = p[1].Attach(apId, 0, Page);

        p[1].Do(new ReadCall(first, 1)).ShouldBeOk();
        p[1].Do(new WriteCall(first + 5, 2, 1)).ShouldBeOk();
        p[1].Do(new ReadCall(first + 2 * Page, 8)).ShouldBeOk();
        p[1].Do(new ReadCall(second, 4)).ShouldBeOk();

        Assert.Equal(new PinCounts(3, 0), model.Pins);
        Assert.Equal(3, model.PinnedNow(0, p[0].Pid));
        Assert.Equal(3, model.PinnedNow(0));
        p[0].Do(new MunmapCall(buffer, Page)).ShouldBeOk();
        p[0].Mmap(Page, at: buffer);
        Assert.Equal(new PinCounts(3, 2), model.Pins);
        p[1].Do(new ReadCall(second, 4)).ShouldBeOk();
        Assert.Equal(new PinCounts(4, 2), model.Pins);
        p[1].Do(new ExitCall(0)).ShouldBeOk();
        Assert.Equal(new PinCounts(4, 4), model.Pins);
    }

    [Fact]
    public void ReferenceModel_must_count_pins_on_the_owners_partition()
    {
        var (model, p) = MachineOn(3, raw: false, 2, 0);
        var buffer = p[0].Mmap(2 * Page);
        var at = p[1].Attach(p[1].Get(p[0].Make(buffer, 2 * Page)), 0, 2 * Page);

        p[1].Do(new FillCall(at, 2 * Page, new ZeroPattern())).ShouldBeOk();

        var perPartition = Enumerable.Range(0, 3).Select(i => model.PinnedNow(i));
        Assert.Equal(new[] { 0L, 0L, 2L }, perPartition);
        Assert.Equal(2, model.MappedNow(0, p[1].Pid));
        Assert.Equal(0, model.PinnedNow(0, p[1].Pid));
    }

    // ---- mmap and munmap ----

    [Fact]
    public void ReferenceModel_must_check_mmap_arguments()
    {
        var (_, p) = Machine(1, raw: false, 1);

        p[0].Do(new MmapCall(null, 0)).ShouldFailWith(Errno.EINVAL);
        p[0].Do(new MmapCall(Base + 1, Page)).ShouldFailWith(Errno.EINVAL);
        p[0].Do(new MmapCall(Xpmem.TaskSize - Page, 2 * Page)).ShouldFailWith(Errno.ENOMEM);
        p[0].Do(new MmapCall(null, Xpmem.TaskSize)).ShouldFailWith(Errno.ENOMEM);
        p[0].Do(new MmapCall(null, ulong.MaxValue)).ShouldFailWith(Errno.ENOMEM);
        Assert.Equal(Base, p[0].Mmap(1));
        Assert.Equal(Xpmem.TaskSize - Page, p[0].Mmap(Page, at: Xpmem.TaskSize - Page));
        Assert.Equal(0x10000UL, p[0].Mmap(Page, at: 0x10000));
    }

    [Fact]
    public void ReferenceModel_must_check_munmap_arguments_and_accept_unmapped_parts()
    {
        var (_, p) = Machine(1, raw: false, 1);
        var buffer = p[0].Mmap(3 * Page);

        p[0].Do(new MunmapCall(buffer + 1, Page)).ShouldFailWith(Errno.EINVAL);
        p[0].Do(new MunmapCall(buffer, 0)).ShouldFailWith(Errno.EINVAL);
        p[0].Do(new MunmapCall(Xpmem.TaskSize - Page, 2 * Page)).ShouldFailWith(Errno.EINVAL);
        p[0].Do(new MunmapCall(buffer + Page, 1)).ShouldBeOk();
        p[0].Do(new MunmapCall(buffer + 2 * Page, 10 * Page)).ShouldBeOk();
        p[0].Do(new MunmapCall(0x1000, Page)).ShouldBeOk();

        Assert.Equal(new[] { new ModelMapping(buffer, Page, false) }, p[0].Mappings());
    }

    [Fact]
    public void ReferenceModel_must_zero_fill_a_fixed_mmap_over_existing_memory()
    {
        var (_, p) = Machine(1, raw: false, 1);
        var buffer = p[0].Mmap(2 * Page);
        p[0].Do(new FillCall(buffer, 2 * Page, new BytePattern(0xFF))).ShouldBeOk();

        p[0].Mmap(Page, at: buffer + Page);

        p[0].Do(new CheckCall(buffer, Page, new BytePattern(0xFF))).ShouldBeOk();
        p[0].Do(new CheckCall(buffer + Page, Page, new ZeroPattern())).ShouldBeOk();
    }

    // ---- the access calls ----

    [Fact]
    public void ReferenceModel_must_SIGSEGV_at_the_first_unmapped_page_after_storing_the_pages_before()
    {
        var (_, p) = Machine(1, raw: false, 2);
        var buffer = p[0].Mmap(Page);
        var at = p[1].Attach(p[1].Get(p[0].Make(buffer, Page)), 0, Page);

        p[1].Do(new WriteCall(at + Page - 4, 8, 0x1122334455667788))
            .ShouldBeSignalled(Signal.SIGSEGV);

        Assert.Equal(0x55667788u, p[0].Read32(buffer + Page - 4));
    }

    [Fact]
    public void ReferenceModel_must_add32_whole_words_and_stop_at_a_straddling_word_that_faults()
    {
        var (_, p) = Machine(1, raw: false, 2);
        var buffer = p[0].Mmap(Page);
        var at = p[1].Attach(p[1].Get(p[0].Make(buffer, Page)), 0, Page);

        p[1].Do(new Add32Call(at + Page - 10, 12, 1)).ShouldBeSignalled(Signal.SIGSEGV);

        Assert.Equal(1u, p[0].Read32(buffer + Page - 10));
        Assert.Equal(1u, p[0].Read32(buffer + Page - 6));
        Assert.Equal(0UL, p[0].Do(new ReadCall(buffer + Page - 2, 2)).ShouldBeOk());
    }

    [Fact]
    public void ReferenceModel_must_read_and_write_any_width_at_any_alignment_across_pages()
    {
        var (_, p) = Machine(1, raw: false, 1);
        var buffer = p[0].Mmap(2 * Page);

        p[0].Do(new WriteCall(buffer + Page - 3, 8, 0x0807060504030201)).ShouldBeOk();

        Assert.Equal(0x0807060504030201UL, p[0].Do(new ReadCall(buffer + Page - 3, 8))
            .ShouldBeOk());
        Assert.Equal(0x0504UL, p[0].Do(new ReadCall(buffer + Page, 2)).ShouldBeOk());
        Assert.Equal(0x03UL, p[0].Do(new ReadCall(buffer + Page - 1, 1)).ShouldBeOk());
        p[0].Do(new WriteCall(buffer + 1, 2, 0xFFFF_ABCD)).ShouldBeOk();
        Assert.Equal(0xABCD00UL, p[0].Do(new ReadCall(buffer, 4)).ShouldBeOk());
    }

    [Fact]
    public void ReferenceModel_must_lay_patterns_from_the_first_byte()
    {
        var (_, p) = Machine(1, raw: false, 1);
        var buffer = p[0].Mmap(Page);

        p[0].Do(new FillCall(buffer, 16, new Lfsr32Pattern(1))).ShouldBeOk();
        // next(1) = 3, next(3) = 7, next(7) = 15, next(15) = 30 (parity of s & 1337).
        var words = Enumerable.Range(0, 4).Select(i => p[0].Read32(buffer + 4 * (ulong)i));
        Assert.Equal(new[] { 3u, 7u, 15u, 30u }, words);
        p[0].Do(new FillCall(buffer, 10, new Index32Pattern(5))).ShouldBeOk();
        Assert.Equal(0x0000_0006_0000_0005UL, p[0].Do(new ReadCall(buffer, 8)).ShouldBeOk());
        Assert.Equal(7UL, p[0].Do(new ReadCall(buffer + 8, 2)).ShouldBeOk());
        Assert.Equal(0UL, p[0].Do(new ReadCall(buffer + 10, 2)).ShouldBeOk());
        p[0].Do(new FillCall(buffer + 1, 2, new BytePattern(0x61))).ShouldBeOk();
        Assert.Equal(0x0061_6105UL, p[0].Do(new ReadCall(buffer, 4)).ShouldBeOk());
    }

    [Fact]
    public void ReferenceModel_must_name_the_first_differing_address_when_a_check_fails()
    {
        var (_, p) = Machine(1, raw: false, 1);
        var buffer = p[0].Mmap(2 * Page);
        p[0].Do(new FillCall(buffer, 2 * Page, new Index32Pattern(0))).ShouldBeOk();
        p[0].Do(new WriteCall(buffer + Page + 6, 1, 0xEE)).ShouldBeOk();
        p[0].Do(new WriteCall(buffer + Page + 9, 1, 0xEE)).ShouldBeOk();

        var outcome = p[0].Do(new CheckCall(buffer, 2 * Page, new Index32Pattern(0)));

        Assert.Equal(OutcomeKind.Mismatch, outcome.Kind);
        Assert.StartsWith($"0x{buffer + Page + 6:x}:", outcome.Detail);
        Assert.True(p[0].Alive);
    }

    [Fact]
    public void ReferenceModel_must_sum32_whole_words_into_64_bits()
    {
        var (_, p) = Machine(1, raw: false, 1);
        var buffer = p[0].Mmap(Page);
        p[0].Do(new FillCall(buffer, 16, new BytePattern(0xFF))).ShouldBeOk();

        Assert.Equal(4UL * 0xFFFF_FFFF, p[0].Do(new Sum32Call(buffer, 16)).ShouldBeOk());
        Assert.Equal(3UL * 0xFFFF_FFFF, p[0].Do(new Sum32Call(buffer, 15)).ShouldBeOk());
        Assert.Equal(0UL, p[0].Do(new Sum32Call(buffer, 0)).ShouldBeOk());
    }

    [Fact]
    public void ReferenceModel_must_copy_through_attachments_with_memmove_semantics()
    {
        var (_, p) = Machine(1, raw: false, 2);
        var buffer = p[0].Mmap(2 * Page);
        p[0].Do(new FillCall(buffer, 2 * Page, new Index32Pattern(0))).ShouldBeOk();
        var at = p[1].Attach(p[1].Get(p[0].Make(buffer, 2 * Page)), 0, 2 * Page);
        var own = p[1].Mmap(2 * Page);

        p[1].Do(new CopyCall(own, at, 2 * Page)).ShouldBeOk();
        p[1].Do(new CheckCall(own, 2 * Page, new Index32Pattern(0))).ShouldBeOk();
        p[1].Do(new CopyCall(own + 4, own, Page)).ShouldBeOk();
        p[1].Do(new CheckCall(own + 4, Page, new Index32Pattern(0))).ShouldBeOk();

        // A failing source page ends the copy there: the unit before it stays stored. own's
        // second page now holds word 1023 (moved up by the copy above), then words 1025 on.
        p[1].Do(new CopyCall(at, own + Page, 2 * Page)).ShouldBeSignalled(Signal.SIGSEGV);
        p[0].Do(new ReadCall(buffer, 4)).ShouldBeOk().ShouldEqual(1023);
        p[0].Do(new CheckCall(buffer + 4, Page - 4, new Index32Pattern(1025))).ShouldBeOk();
        p[0].Do(new CheckCall(buffer + Page, Page, new Index32Pattern(1024))).ShouldBeOk();
    }
}

internal static class UlongShould
{
    public static void ShouldEqual(this ulong actual, ulong expected) =>
        Assert.Equal(expected, actual);
}
