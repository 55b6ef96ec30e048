namespace Emulator.Host.Cli;

/// <summary>
/// Checks the paths a command will write (<c>--out</c>, <c>--results</c>, <c>--junit</c>) before
/// anything runs, so a typo costs nothing: a folder must be creatable and writable, a file must
/// not be a folder and must be writable. Each check returns what is wrong, or null.
/// </summary>
public static class OutputPaths
{
    /// <summary>Creates the folder if needed and proves a file can be written in it.</summary>
    public static string? CheckFolder(string option, string path)
    {
        if (File.Exists(path)) return $"{option} {path} is a file, not a folder";
        try
        {
            Directory.CreateDirectory(path);
            var probe = Path.Combine(path, $".xpmem-emu-probe-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (IsPathFailure(e))
        {
            return $"{option} {path}: cannot write there: {e.Message}";
        }
    }

    /// <summary>Proves the file can be written, leaving an existing one as it is.</summary>
    public static string? CheckFile(string option, string path)
    {
        if (Directory.Exists(path)) return $"{option} {path} is a folder, not a file";
        try
        {
            var existed = File.Exists(path);
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { Length: > 0 } parent)
            {
                if (File.Exists(parent))
                    return $"{option} {path}: {parent} is a file, not a folder";
                Directory.CreateDirectory(parent);
            }
            using (new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write))
            {
            }
            if (!existed) File.Delete(path);
            return null;
        }
        catch (Exception e) when (IsPathFailure(e))
        {
            return $"{option} {path}: cannot write there: {e.Message}";
        }
    }

    private static bool IsPathFailure(Exception e) =>
        e is IOException or UnauthorizedAccessException or ArgumentException
            or NotSupportedException or System.Security.SecurityException;
}
