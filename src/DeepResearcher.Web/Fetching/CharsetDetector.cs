using System.Text;
using System.Text.RegularExpressions;

namespace DeepResearcher.Web.Fetching;

/// <summary>Picks a body's encoding: BOM, then the Content-Type charset, then a &lt;meta&gt; declaration, else UTF-8.</summary>
public static partial class CharsetDetector
{
    public static Encoding Detect(string? headerCharset, ReadOnlySpan<byte> body)
    {
        if (body.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return new UTF8Encoding(false);
        }

        if (body.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return Encoding.Unicode;
        }

        if (body.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return Encoding.BigEndianUnicode;
        }

        if (TryGet(headerCharset, out Encoding? fromHeader))
        {
            return fromHeader;
        }

        // <meta charset> must sit in the first 1024 bytes (HTML spec); those bytes are ASCII-compatible.
        string head = Encoding.ASCII.GetString(body[..Math.Min(body.Length, 1024)]);
        Match meta = MetaCharset().Match(head);
        if (meta.Success && TryGet(meta.Groups[1].Value, out Encoding? fromMeta))
        {
            return fromMeta;
        }

        return new UTF8Encoding(false);
    }

    private static bool TryGet(string? name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Encoding? encoding)
    {
        encoding = null;
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }

        try
        {
            encoding = Encoding.GetEncoding(name.Trim().Trim('"', '\''));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [GeneratedRegex("""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-:.]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex MetaCharset();
}
