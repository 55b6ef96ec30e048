using Emulator.Protocol;
using Emulator.Protocol.Processes;
using Xunit;

namespace Emulator.Tests.Model;

// Every errno path of spec section 2, in the kernel's order: where a call has two faults,
// the test checks that the earlier check answers.
public sealed partial class ReferenceModelSpec
{
    // ---- make (2.2, rule 3) ----

    [Fact]
    public void ReferenceModel_must_check_make_arguments_before_looking_for_the_thread_group()
    {
        var (_, p) = Machine(1, raw: true, 1);
        var child = p[0].Fork();

        child.Do(new MakeCall(0, Page, 2, Mode(600))).ShouldFailWith(Errno.EINVAL);
        child.Do(new MakeCall(0, Page, 1, Mode(1000))).ShouldFailWith(Errno.EINVAL);
        child.Do(new MakeCall(0, 0, 1, Mode(600))).ShouldFailWith(Errno.EINVAL);
        // Range and alignment are checked only after the thread group is found.
        child.Do(new MakeCall(0x1001, Page, 1, Mode(600))).ShouldFailWith(Errno.NOPROC);
        child.Do(new MakeCall(0, Xpmem.TaskSize + Page, 1, Mode(600))).ShouldFailWith(Errno.NOPROC);
    }

    [Fact]
    public void ReferenceModel_must_refuse_a_make_past_user_space_or_unaligned_with_EINVAL()
    {
        var (_, p) = Machine(1, raw: false, 1);

        p[0].Do(new MakeCall(Xpmem.TaskSize - Page, 2 * Page, 1, Mode(600)))
            .ShouldFailWith(Errno.EINVAL);
        p[0].Do(new MakeCall(0x1001, Page, 1, Mode(600))).ShouldFailWith(Errno.EINVAL);
        p[0].Do(new MakeCall(0, 100, 1, Mode(600))).ShouldFailWith(Errno.EINVAL);
        // (void*)-2 + 4 pages wraps below the limit, then fails the alignment check.
        p[0].Do(new MakeCall(ulong.MaxValue - 1, 4 * Page, 1, Mode(600)))
            .ShouldFailWith(Errno.EINVAL);
        Assert.Equal(Id(0, p[0].Pid, 1), p[0].Make(Xpmem.TaskSize - Page, Page, Mode(777)));
    }

    [Fact]
    public void ReferenceModel_must_clamp_a_maxaddr_make_to_the_end_of_user_space()
    {
        var (_, p) = Machine(1, raw: false, 2);
        var segId = p[0].Make(0, Xpmem.MaxAddrSize);
        var apId = p[1].Get(segId);

        p[1].Attach(apId, Xpmem.TaskSize - Page, Page);
        p[1].Do(new AttachCall(apId, Xpmem.TaskSize - Page, 2 * Page, null))
            .ShouldFailWith(Errno.EINVAL);
        // The clamp applies only when vaddr + size passes the limit; at vaddr = 1 page the sum
        // wraps below it, nothing is clamped, and (size_t)-1 fails the alignment check.
        p[0].Do(new MakeCall(Page, Xpmem.MaxAddrSize, 1, Mode(600))).ShouldFailWith(Errno.EINVAL);
    }

    [Fact]
    public void ReferenceModel_must_make_segments_over_holes_and_over_each_other()
    {
        var (_, p) = Machine(1, raw: false, 1);

        var first = p[0].Make(0x10000, 16 * Page);
        var second = p[0].Make(0x10000, 16 * Page);

        Assert.NotEqual(first, second);
        Assert.Empty(p[0].Mappings());
    }

    // ---- remove (2.3, rules 5 and 9) ----

    [Fact]
    public void ReferenceModel_must_check_remove_owner_before_looking_for_the_segment()
    {
        var (_, p) = Machine(1, raw: false, 2);
        var segId = p[0].Make(0, Page);
        p[1].Do(new VersionCall()).ShouldBeOk();

        p[1].Do(new RemoveCall(segId)).ShouldFailWith(Errno.EACCES);
        p[0].Do(new RemoveCall(segId)).ShouldBeOk();
        p[1].Do(new RemoveCall(segId)).ShouldFailWith(Errno.EACCES);
        p[0].Do(new RemoveCall(segId)).ShouldFailWith(Errno.ENOENT);
        p[0].Do(new RemoveCall(Id(0, p[0].Pid, 7))).ShouldFailWith(Errno.ENOENT);
        p[0].Do(new RemoveCall(Id(0, 999, 1))).ShouldFailWith(Errno.ENOENT);
    }

    [Fact]
    public void ReferenceModel_must_make_a_removed_segment_invisible_and_its_attachments_SIGBUS()
    {
        var (model, p) = Machine(1, raw: false, 2);
        var buffer = p[0].Mmap(2 * Page);
        var segId = p[0].Make(buffer, 2 * Page);
        var apId = p[1].Get(segId);
        var at = p[1].Attach(apId, 0, 2 * Page);
        p[1].Write32(at, 5);

        p[0].Do(new RemoveCall(segId)).ShouldBeOk();

        Assert.True(model.Pins.Balanced);
        p[1].Do(new GetCall(segId, RdWr, 1)).ShouldFailWith(Errno.ENOENT);
        p[1].Do(new AttachCall(apId, 0, Page, null)).ShouldFailWith(Errno.ENOENT);
        p[0].Do(new RemoveCall(segId)).ShouldFailWith(Errno.ENOENT);
        Assert.Contains(p[1].Mappings(), m => m.IsAttachment && m.Address == at);
        Assert.Equal(5u, p[0].Read32(buffer));
        p[1].Do(new ReleaseCall(apId)).ShouldBeOk();
        Assert.DoesNotContain(p[1].Mappings(), m => m.IsAttachment);
    }

    [Fact]
    public void ReferenceModel_must_SIGBUS_a_touch_of_an_attachment_whose_segment_was_removed()
    {
        var (_, p) = Machine(1, raw: false, 2);
        var buffer = p[0].Mmap(Page);
        var segId = p[0].Make(buffer, Page);
        var at = p[1].Attach(p[1].Get(segId), 0, Page);
        p[1].Write32(at, 5);

        p[0].Do(new RemoveCall(segId)).ShouldBeOk();

        p[1].Do(new ReadCall(at, 4)).ShouldBeSignalled(Signal.SIGBUS);
        Assert.False(p[1].Alive);
        Assert.True(p[0].Alive);
    }

    // ---- get (2.4, rule 4) ----

    [Fact]
    public void ReferenceModel_must_check_get_arguments_in_the_kernel_order()
    {
        var (_, p) = Machine(1, raw: false, 2);
        var segId = p[0].Make(0, Page);

        p[1].Do(new GetCall(0, 3, 0)).ShouldFailWith(Errno.EINVAL);
        p[1].Do(new GetCall(segId, 3, 1)).ShouldFailWith(Errno.EINVAL);
        p[1].Do(new GetCall(segId, 4, 1)).ShouldFailWith(Errno.EINVAL);
        p[1].Do(new GetCall(segId, 0x10 | RdWr, 1)).ShouldFailWith(Errno.EINVAL);
        p[1].Do(new GetCall(segId, RdWr, 0)).ShouldFailWith(Errno.EINVAL);
        p[1].Do(new GetCall(Id(0, 999, 1), 3, 1)).ShouldFailWith(Errno.EINVAL);
        p[1].Do(new GetCall(Id(0, 999, 1), RdWr, 1)).ShouldFailWith(Errno.ENOENT);
        p[1].Do(new GetCall(Id(0, p[0].Pid, 2), RdWr, 1)).ShouldFailWith(Errno.ENOENT);
        p[0].Do(new ExitCall(0)).ShouldBeOk();
        p[1].Do(new GetCall(segId, RdWr, 1)).ShouldFailWith(Errno.ENOENT);
    }

    [Fact]
    public void ReferenceModel_must_check_get_permission_before_the_callers_thread_group()
    {
        var (_, p) = Machine(1, raw: true, 1);
        var closed = p[0].Make(0, Page, Mode(0));
        var open = p[0].Make(0, Page, Mode(600));
        var child = p[0].Fork();

        child.Do(new GetCall(closed, RdOnly, 1)).ShouldFailWith(Errno.EACCES);
        child.Do(new GetCall(open, RdOnly, 1)).ShouldFailWith(Errno.NOPROC);
    }

    [Theory]
    [InlineData(600, RdOnly, 1000, Errno.None)]
    [InlineData(600, RdWr, 1000, Errno.None)]
    [InlineData(400, RdOnly, 1000, Errno.None)]
    [InlineData(400, RdWr, 1000, Errno.EACCES)]
    [InlineData(200, RdOnly, 1000, Errno.EACCES)]
    [InlineData(200, RdWr, 1000, Errno.EACCES)]
    [InlineData(0, RdOnly, 1000, Errno.EACCES)]
    [InlineData(0, RdWr, 1000, Errno.EACCES)]
    [InlineData(600, RdOnly, 0, Errno.None)]
    [InlineData(600, RdWr, 0, Errno.None)]
    [InlineData(400, RdOnly, 0, Errno.None)]
    [InlineData(400, RdWr, 0, Errno.None)]
    [InlineData(200, RdOnly, 0, Errno.None)]
    [InlineData(200, RdWr, 0, Errno.None)]
    [InlineData(0, RdOnly, 0, Errno.None)]
    [InlineData(0, RdWr, 0, Errno.None)]
    public void ReferenceModel_must_apply_the_permission_table_of_section_2_4(
        int mode, ulong flags, int getterUid, Errno expected)
    {
        var (_, p) = Machine(1, false,
            [new ProcessSpec(0, 1000, 1000), new ProcessSpec(0, getterUid, 1000)]);
        var segId = p[0].Make(0, Page, Mode(mode));

        var outcome = p[1].Do(new GetCall(segId, flags, 1));

        if (expected == Errno.None)
        {
            outcome.ShouldBeOk();
        }
        else
        {
            outcome.ShouldFailWith(expected);
        }
    }

    [Theory]
    [InlineData(1000, 1000, 400, true)]
    [InlineData(1000, 1000, 40, false)]
    [InlineData(1001, 1000, 40, true)]
    [InlineData(1001, 1000, 404, false)]
    [InlineData(1001, 1001, 4, true)]
    [InlineData(1001, 1001, 440, false)]
    public void ReferenceModel_must_choose_the_permission_class_by_uid_then_gid_then_other(
        int getterUid, int getterGid, int mode, bool granted)
    {
        var (_, p) = Machine(1, false,
            [new ProcessSpec(0, 1000, 1000), new ProcessSpec(0, getterUid, getterGid)]);
        var segId = p[0].Make(0, Page, Mode(mode));

        var outcome = p[1].Do(new GetCall(segId, RdOnly, 1));

        Assert.Equal(granted ? OutcomeKind.Ok : OutcomeKind.Failed, outcome.Kind);
    }

    [Fact]
    public void ReferenceModel_must_grant_a_new_permit_for_every_get_including_the_owners_own()
    {
        var (_, p) = Machine(1, raw: false, 2);
        var segId = p[0].Make(0, Page);

        var first = p[1].Get(segId);
        var second = p[1].Get(segId);
        var own = p[0].Get(segId);

        Assert.NotEqual(first, second);
        Assert.Equal(Id(0, p[0].Pid, 1), own);
    }

    [Fact]
    public void ReferenceModel_must_accept_get_flags_zero_and_attach_through_it()
    {
        var (_, p) = Machine(1, raw: false, 2);
        var buffer = p[0].Mmap(Page);
        var segId = p[0].Make(buffer, Page, Mode(400));

        var apId = p[1].Get(segId, 0);
        var at = p[1].Attach(apId, 0, Page);

        p[1].Write32(at, 9);
        Assert.Equal(9u, p[0].Read32(buffer));
    }

    // ---- release (2.5, rules 5 and 10) ----

    [Fact]
    public void ReferenceModel_must_check_release_holder_before_looking_for_the_permit()
    {
        var (_, p) = Machine(1, raw: false, 2);
        var segId = p[0].Make(0, Page);
        var apId = p[1].Get(segId);

        p[0].Do(new ReleaseCall(apId)).ShouldFailWith(Errno.EACCES);
        p[1].Do(new ReleaseCall(apId)).ShouldBeOk();
        p[0].Do(new ReleaseCall(apId)).ShouldFailWith(Errno.EACCES);
        p[1].Do(new ReleaseCall(apId)).ShouldFailWith(Errno.ENOENT);
        p[1].Do(new ExitCall(0)).ShouldBeOk();
        p[0].Do(new ReleaseCall(apId)).ShouldFailWith(Errno.ENOENT);
    }

    [Fact]
    public void ReferenceModel_must_unmap_attachments_on_release_so_later_touches_SIGSEGV()
    {
        var (model, p) = Machine(1, raw: false, 2);
        var buffer = p[0].Mmap(Page);
        var apId = p[1].Get(p[0].Make(buffer, Page));
        var first = p[1].Attach(apId, 0, Page);
        var second = p[1].Attach(apId, 0, Page);
        p[1].Write32(first, 1);
        p[1].Write32(second, 2);

        p[1].Do(new ReleaseCall(apId)).ShouldBeOk();

        Assert.Equal(new PinCounts(2, 2), model.Pins);
        Assert.Empty(p[1].Mappings());
        p[1].Do(new AttachCall(apId, 0, Page, null)).ShouldFailWith(Errno.ENOENT);
        p[1].Do(new ReadCall(second, 4)).ShouldBeSignalled(Signal.SIGSEGV);
    }

    // ---- attach (2.6, rule 6) ----

    [Fact]
    public void ReferenceModel_must_check_attach_addresses_before_looking_for_the_permit()
    {
        var (_, p) = Machine(1, raw: false, 1);
        var unknown = Id(0, 999, 1);

        p[0].Do(new AttachCall(unknown, 0, Page, Xpmem.TaskSize - Page))
            .ShouldFailWith(Errno.EINVAL);
        p[0].Do(new AttachCall(unknown, 0, Page, Base + 1)).ShouldFailWith(Errno.EINVAL);
        p[0].Do(new AttachCall(unknown, 1, Page, null)).ShouldFailWith(Errno.EINVAL);
        p[0].Do(new AttachCall(unknown, 0, Page, null)).ShouldFailWith(Errno.ENOENT);
        p[0].Do(new AttachCall(Id(0, p[0].Pid, 1), 0, Page, null)).ShouldFailWith(Errno.ENOENT);
    }

    [Fact]
    public void ReferenceModel_must_check_a_removed_segment_before_the_attachers_identity()
    {
        var (_, p) = Machine(1, raw: false, 3);
        var segId = p[0].Make(0, Page);
        var apId = p[1].Get(segId);

        p[2].Do(new AttachCall(apId, 0, Page, null)).ShouldFailWith(Errno.EACCES);
        p[0].Do(new RemoveCall(segId)).ShouldBeOk();
        p[2].Do(new AttachCall(apId, 0, Page, null)).ShouldFailWith(Errno.ENOENT);
    }

    [Fact]
    public void ReferenceModel_must_refuse_attach_through_a_read_only_permit_before_range_checks()
    {
        var (_, p) = Machine(1, raw: false, 2);
        var segId = p[0].Make(0, Page);
        var readOnly = p[1].Get(segId, RdOnly);

        p[1].Do(new AttachCall(readOnly, 0, Page, null)).ShouldFailWith(Errno.EACCES);
        p[1].Do(new AttachCall(readOnly, 0, 2 * Page, null)).ShouldFailWith(Errno.EACCES);
    }

    [Fact]
    public void ReferenceModel_must_refuse_attach_ranges_outside_the_segment_with_EINVAL()
    {
        var (_, p) = Machine(1, raw: false, 2);
        var apId = p[1].Get(p[0].Make(0x10000, 2 * Page));

        p[1].Do(new AttachCall(apId, 1UL << 63, Page, null)).ShouldFailWith(Errno.EINVAL);
        p[1].Do(new AttachCall(apId, 0, 0, null)).ShouldFailWith(Errno.EINVAL);
        p[1].Do(new AttachCall(apId, Page, 2 * Page, null)).ShouldFailWith(Errno.EINVAL);
        p[1].Do(new AttachCall(apId, 0, 2 * Page + 1, null)).ShouldFailWith(Errno.EINVAL);
        // A size of (size_t)-1 rounds up to 0 (the kernel's arithmetic wraps).
        p[1].Do(new AttachCall(apId, 0, ulong.MaxValue, null)).ShouldFailWith(Errno.EINVAL);
        p[1].Attach(apId, Page, Page);
    }

    [Fact]
    public void ReferenceModel_must_round_attach_sizes_up_to_whole_pages()
    {
        var (_, p) = Machine(1, raw: false, 2);
        var apId = p[1].Get(p[0].Make(0x10000, 2 * Page));

        var at = p[1].Attach(apId, 0, Page + 1);

        Assert.Equal(new ModelMapping(at, 2 * Page, true), Assert.Single(p[1].Mappings()));
    }

    [Fact]
    public void ReferenceModel_must_refuse_a_self_attach_over_its_own_source_range()
    {
        var (_, p) = Machine(1, raw: false, 1);
        var buffer = p[0].Mmap(4 * Page);
        var apId = p[0].Get(p[0].Make(buffer, 2 * Page));

        p[0].Do(new AttachCall(apId, Page, Page, buffer + Page)).ShouldFailWith(Errno.EINVAL);
        p[0].Do(new AttachCall(apId, 0, 2 * Page, buffer + Page)).ShouldFailWith(Errno.EINVAL);
        // Outside the source range a fixed self-attach replaces the owner's own memory there.
        var at = p[0].Attach(apId, 0, Page, buffer + 3 * Page);
        p[0].Write32(buffer, 4);
        Assert.Equal(4u, p[0].Read32(at));
    }

    [Fact]
    public void ReferenceModel_must_refuse_a_fixed_attach_over_an_attachment_and_replace_normal_memory()
    {
        var (_, p) = Machine(1, raw: false, 2);
        var buffer = p[0].Mmap(2 * Page);
        p[0].Write32(buffer, 11);
        var apId = p[1].Get(p[0].Make(buffer, 2 * Page));
        var own = p[1].Mmap(4 * Page);
        p[1].Write32(own, 99);
        var at = p[1].Attach(apId, 0, Page, own + 2 * Page);

        p[1].Do(new AttachCall(apId, 0, 2 * Page, own + Page)).ShouldFailWith(Errno.EINVAL);

        var replaced = p[1].Attach(apId, 0, Page, own);
        Assert.Equal(own, replaced);
        Assert.Equal(11u, p[1].Read32(own));
        Assert.Equal(11u, p[1].Read32(at));
    }

    [Fact]
    public void ReferenceModel_must_answer_ENOMEM_when_an_attachment_does_not_fit()
    {
        var (_, p) = Machine(1, raw: false, 2);
        var apId = p[1].Get(p[0].Make(0, Xpmem.MaxAddrSize));

        p[1].Do(new AttachCall(apId, 0, 2 * Page, Xpmem.TaskSize - 4 * Page)).ShouldBeOk();
        p[1].Do(new AttachCall(apId, 0, 3 * Page, Xpmem.TaskSize - 2 * Page))
            .ShouldFailWith(Errno.ENOMEM);
        p[1].Do(new AttachCall(apId, 0, Xpmem.TaskSize - Page, null)).ShouldFailWith(Errno.ENOMEM);
    }

    [Fact]
    public void ReferenceModel_must_choose_attach_and_mmap_addresses_first_fit_from_the_base()
    {
        var (_, p) = Machine(1, raw: false, 2);
        var apId = p[1].Get(p[0].Make(0, Xpmem.MaxAddrSize));

        Assert.Equal(Base, p[1].Mmap(Page));
        Assert.Equal(Base + Page, p[1].Attach(apId, 0, 2 * Page));
        p[1].Do(new MunmapCall(Base, Page)).ShouldBeOk();
        Assert.Equal(Base, p[1].Attach(apId, 0, Page));
        Assert.Equal(Base + 3 * Page, p[1].Mmap(2 * Page));
        Assert.Equal(Base + 5 * Page, p[1].Attach(apId, 0, 1));
    }

    [Fact]
    public void ReferenceModel_must_attach_one_permit_many_times_independently()
    {
        var (_, p) = Machine(1, raw: false, 2);
        var buffer = p[0].Mmap(Page);
        var apId = p[1].Get(p[0].Make(buffer, Page));
        var first = p[1].Attach(apId, 0, Page);
        var second = p[1].Attach(apId, 0, Page);

        p[1].Do(new DetachCall(first)).ShouldBeOk();

        p[1].Write32(second, 3);
        Assert.Equal(3u, p[0].Read32(buffer));
    }

    [Fact]
    public void ReferenceModel_must_refuse_attach_with_ENOENT_once_the_owner_is_dead()
    {
        var (_, p) = Machine(1, raw: false, 2);
        var apId = p[1].Get(p[0].Make(0, Page));

        p[0].Do(new KillCall(Signal.SIGKILL)).ShouldBeOk();

        p[1].Do(new AttachCall(apId, 0, Page, null)).ShouldFailWith(Errno.ENOENT);
        p[1].Do(new ReleaseCall(apId)).ShouldBeOk();
    }

    // ---- detach (2.7, rule 11) ----

    [Fact]
    public void ReferenceModel_must_detach_the_whole_attachment_from_any_address_inside_it()
    {
        var (model, p) = Machine(1, raw: false, 2);
        var buffer = p[0].Mmap(3 * Page);
        var apId = p[1].Get(p[0].Make(buffer, 3 * Page));
        var at = p[1].Attach(apId, 0, 3 * Page);
        p[1].Do(new FillCall(at, 3 * Page, new BytePattern(1))).ShouldBeOk();

        p[1].Do(new DetachCall(at + 2 * Page + 5)).ShouldBeOk();

        Assert.Empty(p[1].Mappings());
        Assert.Equal(new PinCounts(3, 3), model.Pins);
        p[1].Do(new DetachCall(at)).ShouldBeOk();
        Assert.Equal(at, p[1].Attach(apId, 0, Page));
    }

    [Fact]
    public void ReferenceModel_must_answer_detach_of_unmapped_0_and_of_normal_memory_EINVAL()
    {
        var (_, p) = Machine(1, raw: false, 1);
        var buffer = p[0].Mmap(Page);

        p[0].Do(new DetachCall(0x1234)).ShouldBeOk();
        p[0].Do(new DetachCall(buffer + Page)).ShouldBeOk();
        p[0].Do(new DetachCall(buffer + 8)).ShouldFailWith(Errno.EINVAL);
        Assert.Single(p[0].Mappings());
    }
}
