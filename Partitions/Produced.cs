using Akka.Actor;

namespace Emulator.Partitions;

/// <summary>
/// Props from a plain factory delegate. <c>Props.Create(() => new X(...))</c> compiles its
/// expression on every call (about 230 us measured), which a make, fork or fault loop pays per
/// actor; a delegate costs nothing. These Props never cross nodes.
/// </summary>
public static class Produced
{
    public static Props By<TActor>(Func<TActor> factory) where TActor : ActorBase =>
        Props.CreateBy(new Producer<TActor>(factory));

    private sealed class Producer<TActor>(Func<TActor> factory) : IIndirectActorProducer
        where TActor : ActorBase
    {
        public Type ActorType => typeof(TActor);

        public ActorBase Produce() => factory();

        public void Release(ActorBase actor) { }
    }
}
