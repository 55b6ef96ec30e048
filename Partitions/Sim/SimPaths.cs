using Akka.Actor;

namespace Emulator.Partitions.Sim;

/// <summary>Which actors the loop simulates: the /user guardian and everything under it.</summary>
internal static class SimPaths
{
    public static bool IsSimulated(ActorPath path)
    {
        var top = path;
        while (top.Depth > 1) top = top.Parent;
        return top.Depth == 1 && top.Name == "user";
    }
}
