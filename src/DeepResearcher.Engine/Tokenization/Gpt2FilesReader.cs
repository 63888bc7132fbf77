using System.Text;
using System.Text.Json;

namespace DeepResearcher.Engine.Tokenization;

/// <summary>Reads OpenAI's GPT-2 pair: encoder.json (token → id) and vocab.bpe (one "left right" merge per line).</summary>
internal static class Gpt2FilesReader
{
    private const string EndOfText = "<|endoftext|>";

    public static BpeModelDefinition Parse(ReadOnlyMemory<byte> encoderJson, string encoderPath, string vocabBpe, string vocabBpePath)
    {
        var vocab = ParseEncoder(encoderJson, encoderPath);
        var merges = ParseMerges(vocabBpe, vocabBpePath);
        var added = vocab.TryGetValue(EndOfText, out int endOfText) ? new[] { new AddedToken(endOfText, EndOfText, Special: true) } : [];
        var preTokenizer = PreTokenizer.ForPattern(SplitPatternPreTokenizer.Gpt2Pattern, appliedByByteLevel: true, encoderPath);
        return new BpeModelDefinition($"{encoderPath} + {vocabBpePath}", vocab, merges, added, preTokenizer, NormalizeNfc: false, IgnoreMerges: false);
    }

    private static Dictionary<string, int> ParseEncoder(ReadOnlyMemory<byte> json, string path)
    {
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{path}: encoder.json must be one JSON object of token → id.");
            }

            foreach (JsonProperty entry in document.RootElement.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int id) || id < 0)
                {
                    throw new InvalidDataException($"{path}: the id of \"{entry.Name}\" must be a non-negative integer.");
                }

                vocab[entry.Name] = id;
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message}).", e);
        }

        return vocab;
    }

    private static List<(string, string)> ParseMerges(string text, string path)
    {
        var merges = new List<(string, string)>();
        int lineNumber = 0;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            if (line.IsWhiteSpace() || (lineNumber == 1 && line.StartsWith("#version", StringComparison.Ordinal)))
            {
                continue;
            }

            int space = line.IndexOf(' ');
            if (space <= 0 || space == line.Length - 1 || line[(space + 1)..].IndexOf(' ') >= 0)
            {
                throw new InvalidDataException($"{path}: line {lineNumber} is \"{line}\"; a merge line must be two tokens separated by one space.");
            }

            merges.Add((line[..space].ToString(), line[(space + 1)..].ToString()));
        }

        return merges;
    }

    public static string DecodeUtf8(byte[] bytes, string path)
    {
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{path}: not valid UTF-8 ({e.Message}).", e);
        }
    }
}
