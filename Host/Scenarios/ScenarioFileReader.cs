using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using static System.FormattableString;

namespace Emulator.Host.Scenarios;

/// <summary>
/// Reads a scenario file's text, and refuses, before opening it, anything that is not a regular
/// file of at most <see cref="ScenarioParser.FileSizeMax"/> bytes: opening a FIFO that has no
/// writer blocks for ever, and reading <c>/dev/zero</c> never ends. Symbolic links are followed.
/// Errors are about the whole file, so they name it without a line and column.
/// </summary>
internal static class ScenarioFileReader
{
    private const long FileSizeMax = ScenarioParser.FileSizeMax;

    private static ReadOnlySpan<byte> Utf8Mark => [0xEF, 0xBB, 0xBF];

    public static string Read(string path)
    {
        if (path.Length == 0 || path.Contains('\0'))
            throw WholeFile(path, "is not a valid file name");
        var status = FileProbe.Of(path);
        if (status.Refusal is { } refusal)
            throw WholeFile(path, refusal);
        if (status.SizeBytes > ScenarioParser.FileSizeMax)
            throw TooLarge(path, Invariant($"is {status.SizeBytes:N0} bytes"));
        var bytes = ReadBounded(path, status.SizeBytes);
        try
        {
            return Decode(bytes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes.Array!);
        }
    }

    public static string TooLargeReason(string what) => Invariant(
        $"{what}, over the limit of {ScenarioParser.FileSizeMax / (1024 * 1024)} MiB ")
        + Invariant($"({ScenarioParser.FileSizeMax:N0} bytes) for a scenario file");

    // The size was checked, but a file may grow between the check and the read: read one byte
    // past the limit at most. The buffer is the size probed and one byte more (one read, one
    // array, where a growing MemoryStream copied a 3 MB file four times over), from the shared
    // pool: the caller gives it back once the text is decoded, and the next file reuses it.
    private static ArraySegment<byte> ReadBounded(string path, long probedBytes)
    {
        var bytes = ArrayPool<byte>.Shared.Rent((int)Math.Min(probedBytes, FileSizeMax) + 1);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read,
                FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.SequentialScan);
            int length = 0;
            int read;
            while ((read = stream.Read(bytes, length, Room(bytes) - length)) > 0)
            {
                length += read;
                if (length > ScenarioParser.FileSizeMax)
                    throw TooLarge(path, "is larger");
                if (length == Room(bytes))
                    bytes = Grow(bytes, length);
            }
            return new ArraySegment<byte>(bytes, 0, length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException
            or NotSupportedException or System.Security.SecurityException)
        {
            ArrayPool<byte>.Shared.Return(bytes);
            throw WholeFile(path, $"cannot read the file: {e.Message}");
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(bytes);
            throw;
        }
    }

    // A pooled array may be longer than asked for: what of it is read into.
    private static int Room(byte[] bytes) => (int)Math.Min(bytes.Length, FileSizeMax + 1L);

    private static byte[] Grow(byte[] bytes, int length)
    {
        var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min(2L * length, FileSizeMax + 1L));
        bytes.AsSpan(0, length).CopyTo(grown);
        ArrayPool<byte>.Shared.Return(bytes);
        return grown;
    }

    /// <summary>
    /// As File.ReadAllText: UTF-8 unless a byte order mark says otherwise; bad bytes become
    /// U+FFFD. A file that cannot start with another encoding's mark is decoded in one call, as
    /// StreamReader would decode it (ScenarioParseFileSpec compares the two on random bytes).
    /// </summary>
    internal static string Decode(ArraySegment<byte> bytes)
    {
        var span = bytes.AsSpan();
        if (span.Length >= 4 && span[0] is not (0xEF or 0xFE or 0xFF or 0x00))
            return Encoding.UTF8.GetString(span);
        if (span.Length >= 4 && span.StartsWith(Utf8Mark))
            return Encoding.UTF8.GetString(span[Utf8Mark.Length..]);
        using var stream = new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count);
        using var reader = new StreamReader(
            stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static ScenarioException TooLarge(string path, string what) =>
        WholeFile(path, TooLargeReason(what));

    private static ScenarioException WholeFile(string path, string reason) =>
        new(SourceLocation.WholeFile(path), reason);
}

/// <summary>
/// What a path names, found without opening it: on Linux with statx(2), whose result has the same
/// layout on every architecture, following symbolic links. Where statx is missing (another
/// system, an old kernel, a sandbox that forbids it), .NET's own checks tell files from
/// directories, and the bounded read still stops an endless device; a FIFO cannot be told there.
/// </summary>
internal readonly record struct FileProbe(long SizeBytes, string? Refusal)
{
    private const int AtCurrentDirectory = -100;
    private const uint StatxType = 0x1;
    private const uint StatxSize = 0x200;
    private const int ModeOffset = 28;
    private const int SizeOffset = 40;
    private const int StatxBytes = 256;

    private const int NoSuchEntry = 2;
    private const int NotADirectory = 20;
    private const int NoSuchSystemCall = 38;
    private const int NotPermitted = 1;

    public static FileProbe Of(string path) =>
        (OperatingSystem.IsLinux() ? WithStatx(path) : null) ?? WithDotNet(path);

    private static FileProbe? WithStatx(string path)
    {
        var buffer = new byte[StatxBytes];
        int result;
        try
        {
            result = Statx(AtCurrentDirectory, path, 0, StatxType | StatxSize, buffer);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
        if (result != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno switch
            {
                NoSuchEntry or NotADirectory => Refused("no such file"),
                NoSuchSystemCall or NotPermitted => null,
                _ => Refused($"cannot read the file: {Marshal.GetPInvokeErrorMessage(errno)}"),
            };
        }
        int type = BitConverter.ToUInt16(buffer, ModeOffset) & 0xF000;
        long size = BitConverter.ToInt64(buffer, SizeOffset);
        return TypeRefusal(type) is { } refusal ? Refused(refusal) : new FileProbe(size, null);
    }

    private static string? TypeRefusal(int type) => type switch
    {
        0x8000 => null,
        0x4000 => "is a directory, not a scenario file",
        0x1000 => NotRegular("a FIFO (named pipe)"),
        0x2000 => NotRegular("a character device"),
        0x6000 => NotRegular("a block device"),
        0xC000 => NotRegular("a socket"),
        _ => "is not a regular file (a scenario is read from a file, to its end)",
    };

    private static string NotRegular(string what) =>
        $"is {what}, not a regular file (a scenario is read from a file, to its end)";

    private static FileProbe WithDotNet(string path)
    {
        if (Directory.Exists(path))
            return Refused("is a directory, not a scenario file");
        try
        {
            return File.Exists(path)
                ? new FileProbe(new FileInfo(path).Length, null)
                : Refused("no such file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Refused($"cannot read the file: {e.Message}");
        }
    }

    private static FileProbe Refused(string reason) => new(0, reason);

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int directory,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
}
