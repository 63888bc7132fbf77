using System.Text.Encodings.Web;
using System.Text.Json;

namespace DeepResearcher.Engine.Tokenization;

/// <summary>Writes a <see cref="BpeTokenizer"/> as a Hugging Face tokenizer.json that transformers and <see cref="TokenizerJsonReader"/> load.</summary>
internal static class TokenizerJsonWriter
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        // Keep non-ASCII tokens readable, as Hugging Face writes them.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void WriteAtomically(BpeTokenizer tokenizer, string path)
    {
        string temp = TempPathFor(path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            using (var writer = new Utf8JsonWriter(stream, Options))
            {
                Write(tokenizer, writer);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public static async Task WriteAtomicallyAsync(BpeTokenizer tokenizer, string path, CancellationToken cancellationToken)
    {
        string temp = TempPathFor(path);
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await using var writer = new Utf8JsonWriter(stream, Options);
                Write(tokenizer, writer);
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static string TempPathFor(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
    }

    private static void Write(BpeTokenizer tokenizer, Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("version", "1.0");
        writer.WriteNull("truncation");
        writer.WriteNull("padding");

        writer.WriteStartArray("added_tokens");
        foreach (AddedToken token in tokenizer.AddedTokens)
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", token.Id);
            writer.WriteString("content", token.Content);
            writer.WriteBoolean("single_word", false);
            writer.WriteBoolean("lstrip", token.LeftStrip);
            writer.WriteBoolean("rstrip", token.RightStrip);
            writer.WriteBoolean("normalized", false);
            writer.WriteBoolean("special", token.Special);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();

        if (tokenizer.NormalizesNfc)
        {
            writer.WriteStartObject("normalizer");
            writer.WriteString("type", "NFC");
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("normalizer");
        }

        PreTokenizer pre = tokenizer.PreTokenizer;
        writer.WriteStartObject("pre_tokenizer");
        if (pre.AppliedByByteLevel)
        {
            WriteByteLevel(writer, useRegex: true);
        }
        else
        {
            writer.WriteString("type", "Sequence");
            writer.WriteStartArray("pretokenizers");
            writer.WriteStartObject();
            writer.WriteString("type", "Split");
            writer.WriteStartObject("pattern");
            writer.WriteString("Regex", pre.Pattern);
            writer.WriteEndObject();
            writer.WriteString("behavior", "Isolated");
            writer.WriteBoolean("invert", false);
            writer.WriteEndObject();
            writer.WriteStartObject();
            WriteByteLevel(writer, useRegex: false);
            writer.WriteEndObject();
            writer.WriteEndArray();
        }

        writer.WriteEndObject();

        writer.WriteStartObject("post_processor");
        WriteByteLevel(writer, useRegex: false);
        writer.WriteEndObject();
        writer.WriteStartObject("decoder");
        WriteByteLevel(writer, useRegex: false);
        writer.WriteEndObject();

        writer.WriteStartObject("model");
        writer.WriteString("type", "BPE");
        writer.WriteNull("dropout");
        writer.WriteNull("unk_token");
        writer.WriteString("continuing_subword_prefix", "");
        writer.WriteString("end_of_word_suffix", "");
        writer.WriteBoolean("fuse_unk", false);
        writer.WriteBoolean("byte_fallback", false);
        writer.WriteBoolean("ignore_merges", tokenizer.IgnoresMerges);
        writer.WriteStartObject("vocab");
        for (int id = 0; id < tokenizer.VocabSize; id++)
        {
            if (tokenizer.VocabTokenAt(id) is { } token)
            {
                writer.WriteNumber(token, id);
            }
        }

        writer.WriteEndObject();
        writer.WriteStartArray("merges");
        for (int rank = 0; rank < tokenizer.MergeCount; rank++)
        {
            var (left, right) = tokenizer.MergeAt(rank);
            writer.WriteStartArray();
            writer.WriteStringValue(tokenizer.VocabTokenAt(left));
            writer.WriteStringValue(tokenizer.VocabTokenAt(right));
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteByteLevel(Utf8JsonWriter writer, bool useRegex)
    {
        writer.WriteString("type", "ByteLevel");
        writer.WriteBoolean("add_prefix_space", false);
        writer.WriteBoolean("trim_offsets", false);
        writer.WriteBoolean("use_regex", useRegex);
    }
}
