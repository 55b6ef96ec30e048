namespace Emulator.Host.Cli;

/// <summary>How to start this program again, as a child process (a node, a timed run).</summary>
public static class ThisProgram
{
    /// <summary>
    /// Its apphost, or <c>dotnet</c> with its dll (how it runs under <c>dotnet run</c>, a test
    /// host, or a published folder started with dotnet): the program and the arguments that go
    /// before the command's own.
    /// </summary>
    public static (string Program, string[] Prefix) Command()
    {
        var dll = typeof(ThisProgram).Assembly.Location;
        var path = Environment.ProcessPath ?? "dotnet";
        if (Path.GetFileNameWithoutExtension(path) == Path.GetFileNameWithoutExtension(dll))
            return (path, []);
        // Under the SDK (dotnet run, dotnet test) the host says which dotnet runs us.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH")
            ?? (Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet");
        return (dotnet, [dll]);
    }
}
