using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Emulator.Host.Scenarios;
using Xunit;

namespace Emulator.Tests.Scenarios;

// Proves that ParseFile refuses what is not a scenario file before opening it, naming the file
// without a made-up line and column: a missing file, a directory, a FIFO with no writer (made
// with mkfifo; opening it would block for ever), /dev/zero (reading it never ends), a socket, a
// dangling symbolic link, a file over FileSizeMax. Each runs under a timeout, so a regression
// fails instead of hanging the suite. It follows a symbolic link to a regular file, and a file
// of one megabyte-long token or of random bytes gives a short error, escaped and clipped.
public sealed class ScenarioParseFileSpec : IDisposable
{
    private const string Good = "processes { a {} }\nsteps = [ \"a: exit\" ]\n";
    private const string NotRegular =
        ", not a regular file (a scenario is read from a file, to its end)";
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("xpmem-parse-");

    private string PathOf(string name) => Path.Combine(_folder.FullName, name);

    private string Write(string name, string text)
    {
        File.WriteAllText(PathOf(name), text);
        return PathOf(name);
    }

    // On its own thread with a timeout: the failure this guards against is a read that blocks.
    private static async Task<ScenarioException> Refused(string path)
    {
        var parse = Task.Run(
            () => Assert.Throws<ScenarioException>(() => ScenarioParser.ParseFile(path)));
        var error = await parse.WaitAsync(Guard);
        Assert.Equal(SourceLocation.WholeFile(path), Assert.Single(error.Errors).Location);
        return error;
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path])
        {
            RedirectStandardError = true,
        })!;
        Assert.True(mkfifo.WaitForExit(Guard), "mkfifo did not end");
        Assert.True(mkfifo.ExitCode == 0, $"mkfifo failed: {mkfifo.StandardError.ReadToEnd()}");
    }

    [Fact]
    public async Task ScenarioParseFile_must_say_a_missing_file_is_missing_without_a_position()
    {
        string path = PathOf("missing.hocon");

        var error = await Refused(path);

        Assert.Equal($"{path}: no such file", error.Message);
        Assert.Equal("no-such-folder/missing.hocon: no such file",
            (await Refused("no-such-folder/missing.hocon")).Message);
    }

    [Fact]
    public async Task ScenarioParseFile_must_say_a_directory_is_a_directory()
    {
        var error = await Refused(_folder.FullName);

        Assert.Equal($"{_folder.FullName}: is a directory, not a scenario file", error.Message);
    }

    [Fact]
    public async Task ScenarioParseFile_must_refuse_a_fifo_without_opening_it()
    {
        if (!OperatingSystem.IsLinux())
            return;
        string fifo = PathOf("pipe.hocon");
        MakeFifo(fifo);

        var error = await Refused(fifo);

        Assert.Equal($"{fifo}: is a FIFO (named pipe){NotRegular}", error.Message);
        string link = PathOf("link-to-pipe.hocon");
        File.CreateSymbolicLink(link, fifo);
        Assert.Equal($"{link}: is a FIFO (named pipe){NotRegular}", (await Refused(link)).Message);
    }

    [Fact]
    public async Task ScenarioParseFile_must_refuse_a_device_that_never_ends()
    {
        if (!OperatingSystem.IsLinux())
            return;

        var error = await Refused("/dev/zero");

        Assert.Equal($"/dev/zero: is a character device{NotRegular}", error.Message);
    }

    [Fact]
    public async Task ScenarioParseFile_must_refuse_a_socket()
    {
        if (!OperatingSystem.IsLinux())
            return;
        string path = PathOf("socket.hocon");
        using var socket =
            new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));

        var error = await Refused(path);

        Assert.Equal($"{path}: is a socket{NotRegular}", error.Message);
    }

    [Fact]
    public async Task ScenarioParseFile_must_follow_symbolic_links_to_regular_files()
    {
        string target = Write("target.hocon", Good);
        string link = PathOf("link.hocon");
        File.CreateSymbolicLink(link, target);
        string dangling = PathOf("dangling.hocon");
        File.CreateSymbolicLink(dangling, PathOf("gone.hocon"));

        var scenario = ScenarioParser.ParseFile(link);

        Assert.Equal(link, scenario.File);
        Assert.Single(scenario.Steps);
        Assert.Equal($"{dangling}: no such file", (await Refused(dangling)).Message);
    }

    [Fact]
    public async Task ScenarioParseFile_must_refuse_a_file_over_the_size_bound_unread()
    {
        string path = PathOf("huge.hocon");
        using (var file = File.Create(path))
            file.SetLength(ScenarioParser.FileSizeMax + 1L);

        var error = await Refused(path);

        Assert.Equal($"{path}: is 4,194,305 bytes, over the limit of 4 MiB (4,194,304 bytes) "
            + "for a scenario file", error.Message);
    }

    [Fact]
    public void ScenarioParseFile_must_read_a_file_of_exactly_the_size_bound()
    {
        int paddingLength = ScenarioParser.FileSizeMax - Good.Length - 2;
        string padding = "#" + new string('x', paddingLength) + "\n";
        string path = Write("full.hocon", padding + Good);
        Assert.Equal(ScenarioParser.FileSizeMax, new FileInfo(path).Length);

        Assert.Single(ScenarioParser.ParseFile(path).Steps);
    }

    [Fact]
    public async Task ScenarioParseFile_must_give_a_short_error_for_a_megabyte_token()
    {
        // One file of a megabyte; the other places a token can be are as long as a test can
        // afford many times over (the parser is linear, but a Debug build is slow).
        string token = new('a', 1024 * 1024);
        string shorter = token[..(64 * 1024)];
        string[] files =
        [
            Write("step.hocon", $"steps = [ \"{token}\" ]\n"),
            Write("key.hocon", $"{shorter} = 1\nsteps = []\n"),
            Write("unquoted.hocon", $"steps = [ {shorter}: 1 ]\n"),
            Write("process.hocon", $"processes {{ a {{}} }}\nsteps = [ \"a: read8 {shorter}\" ]\n"),
        ];

        foreach (string file in files)
        {
            var parse = Task.Run(
                () => Assert.Throws<ScenarioException>(() => ScenarioParser.ParseFile(file)));
            var error = await parse.WaitAsync(Guard);
            var only = Assert.Single(error.Errors);
            Assert.True(only.Reason.Length < 300, $"{file}: {only.Reason}");
            Assert.Contains($"'{new string('a', 60)}…'", only.Reason);
        }
    }

    [Fact]
    public async Task ScenarioParseFile_must_give_a_short_readable_error_for_binary_bytes()
    {
        var random = new Random(20261202);
        for (int i = 0; i < 40; i++)
        {
            var bytes = new byte[i == 0 ? 256 * 1024 : random.Next(1, 4096)];
            random.NextBytes(bytes);
            string path = PathOf($"binary{i}.hocon");
            File.WriteAllBytes(path, bytes);

            var parse = Task.Run(
                () => Assert.Throws<ScenarioException>(() => ScenarioParser.ParseFile(path)));
            var error = await parse.WaitAsync(Guard);

            Assert.DoesNotContain("internal parser error", error.Message);
            Assert.All(error.Message.Split('\n'), line =>
            {
                Assert.True(line.Length < 500, $"seed 20261202, file {i}: {line.Length} chars");
                Assert.DoesNotContain(line, c => char.IsControl(c));
            });
        }
    }

    [Fact]
    public void ScenarioParseFile_must_read_byte_order_marks_as_File_ReadAllText_does()
    {
        string path = PathOf("bom.hocon");
        File.WriteAllText(path, Good, new UnicodeEncoding(bigEndian: false, byteOrderMark: true));

        Assert.Single(ScenarioParser.ParseFile(path).Steps);
    }

    // A file that cannot start with a UTF-16 or UTF-32 mark is decoded in one call instead of
    // through a StreamReader: on bytes starting with every mark, part of one, or none, random
    // after (bad UTF-8 too), and on files read whole, it must give what the StreamReader gives.
    [Fact]
    public void ScenarioParseFile_must_decode_as_a_StreamReader_does()
    {
        const int seed = 20261203;
        byte[][] starts =
        [
            [], [0xEF, 0xBB, 0xBF], [0xEF, 0xBB], [0xEF], [0xFE, 0xFF], [0xFF, 0xFE],
            [0xFF, 0xFE, 0, 0], [0, 0, 0xFE, 0xFF], [0], [0xE2, 0x82], [0xC3], [0x80],
        ];
        var random = new Random(seed);
        for (int i = 0; i < 5000; i++)
        {
            var start = starts[random.Next(starts.Length)];
            var rest = new byte[random.Next(0, 24)];
            random.NextBytes(rest);
            if (random.Next(2) == 0)
                Encoding.UTF8.TryGetBytes("é中\u2028x", rest.AsSpan(rest.Length / 2), out _);
            byte[] bytes = [.. start, .. rest];

            string expected = new StreamReader(new MemoryStream(bytes), Encoding.UTF8,
                detectEncodingFromByteOrderMarks: true).ReadToEnd();

            string what = $"seed {seed}, input {i}: {Convert.ToHexString(bytes)}";
            Assert.True(expected == ScenarioFileReader.Decode(bytes), what);
            if (i % 100 == 0)
            {
                File.WriteAllBytes(PathOf("decode.hocon"), bytes);
                Assert.True(expected == ScenarioFileReader.Read(PathOf("decode.hocon")), what);
            }
        }
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
