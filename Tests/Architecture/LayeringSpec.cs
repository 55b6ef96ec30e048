// Proves the one-way layering: Protocol holds data only (no actor derives from ActorBase there),
// and Protocol does not reference Partitions or Host.
using Akka.Actor;
using Emulator.Protocol;
using Xunit;

namespace Emulator.Tests.Architecture;

public sealed class LayeringSpec
{
    [Fact]
    public void Protocol_must_contain_no_actors()
    {
        var actors = typeof(IXpmemMessage).Assembly.GetTypes().Where(t => typeof(ActorBase).IsAssignableFrom(t)).ToList();
        Assert.Empty(actors);
    }

    [Fact]
    public void Protocol_must_not_reference_the_layers_above()
    {
        var references = typeof(IXpmemMessage).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain("Emulator.Partitions", references);
        Assert.DoesNotContain("xpmem-emu", references);
    }

    [Fact]
    public void Protocol_messages_must_be_sealed_records()
    {
        var open = typeof(IXpmemMessage).Assembly.GetTypes()
            .Where(t => typeof(IXpmemMessage).IsAssignableFrom(t) && !t.IsInterface && !t.IsSealed)
            .Select(t => t.FullName).ToList();
        Assert.Empty(open);
    }
}
