using System.Buffers.Binary;
using System.IO.Compression;

namespace Emulator.Tests.Reports;

/// <summary>
/// Reads a PNG as a browser's screenshot writes one (8-bit RGB or RGBA, not interlaced) into its
/// pixels, so a test can tell a rendered page from a blank one without an imaging library.
/// </summary>
internal sealed class PngImage
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10];

    private readonly byte[] _pixels;
    private readonly int _channels;

    private PngImage(int width, int height, int channels, byte[] pixels)
    {
        (Width, Height, _channels, _pixels) = (width, height, channels, pixels);
    }

    public int Width { get; }

    public int Height { get; }

    public (byte R, byte G, byte B) this[int x, int y]
    {
        get
        {
            var at = (y * Width + x) * _channels;
            return (_pixels[at], _pixels[at + 1], _pixels[at + 2]);
        }
    }

    public IEnumerable<(byte R, byte G, byte B)> Pixels()
    {
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++) yield return this[x, y];
        }
    }

    public static PngImage Read(byte[] file)
    {
        if (file.Length < 8 || !file.AsSpan(0, 8).SequenceEqual(Signature))
            throw new InvalidDataException("not a PNG: no signature");
        int width = 0, height = 0, channels = 0;
        var data = new MemoryStream();
        for (var at = 8; at + 8 <= file.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(file, at + 4, 4);
            var body = file.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(body);
                height = BinaryPrimitives.ReadInt32BigEndian(body[4..]);
                var (depth, colour, interlace) = (body[8], body[9], body[12]);
                channels = colour switch
                {
                    2 => 3,
                    6 => 4,
                    _ => throw new InvalidDataException($"PNG colour type {colour} not read here"),
                };
                if (depth != 8 || interlace != 0)
                    throw new InvalidDataException("only 8-bit, non-interlaced PNGs are read here");
            }
            else if (type == "IDAT") data.Write(body);
            else if (type == "IEND") break;
            at += 12 + length;
        }
        if (width <= 0 || height <= 0) throw new InvalidDataException("PNG without IHDR");
        data.Position = 0;
        using var inflate = new ZLibStream(data, CompressionMode.Decompress);
        var raw = new MemoryStream();
        inflate.CopyTo(raw);
        return new PngImage(width, height, channels,
            Unfilter(raw.ToArray(), width, height, channels));
    }

    /// <summary>Undoes each scanline's filter (PNG spec, section 9).</summary>
    private static byte[] Unfilter(byte[] raw, int width, int height, int channels)
    {
        var stride = width * channels;
        if (raw.Length < height * (stride + 1))
            throw new InvalidDataException("PNG data shorter than its image");
        var pixels = new byte[height * stride];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            var line = raw.AsSpan(y * (stride + 1) + 1, stride);
            var row = pixels.AsSpan(y * stride, stride);
            Span<byte> above = y == 0 ? new byte[stride] : pixels.AsSpan((y - 1) * stride, stride);
            for (var x = 0; x < stride; x++)
            {
                int left = x >= channels ? row[x - channels] : 0;
                int up = above[x];
                int corner = x >= channels && y > 0 ? above[x - channels] : 0;
                row[x] = (byte)(line[x] + filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => up,
                    3 => (left + up) / 2,
                    4 => Paeth(left, up, corner),
                    _ => throw new InvalidDataException($"PNG filter {filter}"),
                });
            }
        }
        return pixels;
    }

    private static int Paeth(int left, int up, int corner)
    {
        var estimate = left + up - corner;
        var (toLeft, toUp, toCorner) =
            (Math.Abs(estimate - left), Math.Abs(estimate - up), Math.Abs(estimate - corner));
        return toLeft <= toUp && toLeft <= toCorner ? left : toUp <= toCorner ? up : corner;
    }
}
