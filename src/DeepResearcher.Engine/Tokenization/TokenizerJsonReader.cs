using System.Text.Json;

namespace DeepResearcher.Engine.Tokenization;

/// <summary>Reads the byte-level BPE subset of Hugging Face's tokenizer.json format.</summary>
internal static class TokenizerJsonReader
{
    public static BpeModelDefinition Parse(ReadOnlyMemory<byte> json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not valid JSON ({e.Message}).", e);
        }

        using (document)
        {
            try
            {
                return ParseRoot(document.RootElement, source);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException)
            {
                // JsonElement throws these when a field has the wrong JSON type.
                throw new InvalidDataException($"{source}: unexpected tokenizer.json layout ({e.Message}).", e);
            }
        }
    }

    private static BpeModelDefinition ParseRoot(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("model", out JsonElement model) || model.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{source}: no \"model\" object; this is not a Hugging Face tokenizer.json.");
        }

        string type = model.TryGetProperty("type", out JsonElement typeElement) && typeElement.ValueKind == JsonValueKind.String
            ? typeElement.GetString()!
            : "BPE";
        if (type != "BPE")
        {
            throw new InvalidDataException($"{source}: model.type is \"{type}\"; only BPE models are supported.");
        }

        RejectUnsupported(model, "byte_fallback", source);
        RejectNonEmptyString(model, "continuing_subword_prefix", source);
        RejectNonEmptyString(model, "end_of_word_suffix", source);

        if (!model.TryGetProperty("vocab", out JsonElement vocabElement) || vocabElement.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{source}: model.vocab is missing or not an object of token → id.");
        }

        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (JsonProperty entry in vocabElement.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int id) || id < 0)
            {
                throw new InvalidDataException($"{source}: model.vocab[\"{entry.Name}\"] must be a non-negative integer id.");
            }

            vocab[entry.Name] = id;
        }

        var merges = ParseMerges(model, source);
        bool ignoreMerges = model.TryGetProperty("ignore_merges", out JsonElement ignore) && ignore.ValueKind == JsonValueKind.True;
        var preTokenizer = ParsePreTokenizer(root, source);
        bool nfc = ParseNormalizer(root, source);
        var added = ParseAddedTokens(root, source);
        return new BpeModelDefinition(source, vocab, merges, added, preTokenizer, nfc, ignoreMerges);
    }

    private static List<(string, string)> ParseMerges(JsonElement model, string source)
    {
        if (!model.TryGetProperty("merges", out JsonElement mergesElement) || mergesElement.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{source}: model.merges is missing or not an array.");
        }

        var merges = new List<(string, string)>(mergesElement.GetArrayLength());
        int index = 0;
        foreach (JsonElement merge in mergesElement.EnumerateArray())
        {
            if (merge.ValueKind == JsonValueKind.String)
            {
                // The older "a b" form: byte-level tokens never contain a real space, so one space separates the pair.
                string text = merge.GetString()!;
                int space = text.IndexOf(' ', StringComparison.Ordinal);
                if (space <= 0 || space == text.Length - 1 || text.IndexOf(' ', space + 1) >= 0)
                {
                    throw new InvalidDataException($"{source}: model.merges[{index}] is \"{text}\"; a merge must be two tokens separated by one space.");
                }

                merges.Add((text[..space], text[(space + 1)..]));
            }
            else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
                && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
            {
                merges.Add((merge[0].GetString()!, merge[1].GetString()!));
            }
            else
            {
                throw new InvalidDataException($"{source}: model.merges[{index}] must be \"left right\" or [\"left\", \"right\"], not {merge.GetRawText()}.");
            }

            index++;
        }

        return merges;
    }

    private static PreTokenizer ParsePreTokenizer(JsonElement root, string source)
    {
        if (!root.TryGetProperty("pre_tokenizer", out JsonElement pre) || pre.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{source}: no pre_tokenizer; only byte-level BPE tokenizers (ByteLevel pre-tokenizer) are supported.");
        }

        var steps = TypeOf(pre) == "Sequence" && pre.TryGetProperty("pretokenizers", out JsonElement list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().ToList()
            : [pre];

        string? splitPattern = null;
        bool byteLevel = false;
        bool byteLevelRegex = false;
        foreach (JsonElement step in steps)
        {
            switch (TypeOf(step))
            {
                case "Split" when !byteLevel && splitPattern is null:
                    splitPattern = ReadSplitPattern(step, source);
                    break;
                case "ByteLevel" when !byteLevel:
                    byteLevel = true;
                    if (step.TryGetProperty("add_prefix_space", out JsonElement prefix) && prefix.ValueKind == JsonValueKind.True)
                    {
                        throw new InvalidDataException($"{source}: ByteLevel pre-tokenizer with add_prefix_space=true is not supported.");
                    }

                    byteLevelRegex = !step.TryGetProperty("use_regex", out JsonElement useRegex) || useRegex.ValueKind != JsonValueKind.False;
                    break;
                default:
                    throw new InvalidDataException(
                        $"{source}: pre-tokenizer step {step.GetRawText()} is not supported; expected [Split (Isolated)] followed by ByteLevel.");
            }
        }

        if (!byteLevel)
        {
            throw new InvalidDataException($"{source}: the pre-tokenizer has no ByteLevel step, so this is not a byte-level BPE tokenizer.");
        }

        if (splitPattern is not null && byteLevelRegex)
        {
            throw new InvalidDataException($"{source}: both a Split pattern and ByteLevel use_regex=true are set; only one split pattern is supported.");
        }

        if (splitPattern is null && !byteLevelRegex)
        {
            throw new InvalidDataException($"{source}: ByteLevel has use_regex=false and there is no Split step, so nothing cuts the text into words.");
        }

        return splitPattern is null
            ? PreTokenizer.ForPattern(SplitPatternPreTokenizer.Gpt2Pattern, appliedByByteLevel: true, source)
            : PreTokenizer.ForPattern(splitPattern, appliedByByteLevel: false, source);
    }

    private static string ReadSplitPattern(JsonElement split, string source)
    {
        string behavior = split.TryGetProperty("behavior", out JsonElement b) && b.ValueKind == JsonValueKind.String ? b.GetString()! : "Isolated";
        bool invert = split.TryGetProperty("invert", out JsonElement inv) && inv.ValueKind == JsonValueKind.True;
        if (behavior != "Isolated" || invert)
        {
            throw new InvalidDataException($"{source}: Split pre-tokenizer with behavior {behavior} and invert={invert} is not supported; expected Isolated, invert=false.");
        }

        if (split.TryGetProperty("pattern", out JsonElement pattern) && pattern.ValueKind == JsonValueKind.Object
            && pattern.TryGetProperty("Regex", out JsonElement regex) && regex.ValueKind == JsonValueKind.String)
        {
            return regex.GetString()!;
        }

        throw new InvalidDataException($"{source}: Split pre-tokenizer needs pattern {{\"Regex\": \"...\"}}.");
    }

    private static bool ParseNormalizer(JsonElement root, string source)
    {
        if (!root.TryGetProperty("normalizer", out JsonElement normalizer) || normalizer.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        var steps = TypeOf(normalizer) == "Sequence" && normalizer.TryGetProperty("normalizers", out JsonElement list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().ToList()
            : [normalizer];
        bool nfc = false;
        foreach (JsonElement step in steps)
        {
            if (TypeOf(step) != "NFC")
            {
                throw new InvalidDataException($"{source}: normalizer {step.GetRawText()} is not supported; only NFC (or none) is.");
            }

            nfc = true;
        }

        return nfc;
    }

    private static List<AddedToken> ParseAddedTokens(JsonElement root, string source)
    {
        var tokens = new List<AddedToken>();
        if (!root.TryGetProperty("added_tokens", out JsonElement list) || list.ValueKind == JsonValueKind.Null)
        {
            return tokens;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{source}: added_tokens must be an array.");
        }

        int index = 0;
        foreach (JsonElement token in list.EnumerateArray())
        {
            if (!token.TryGetProperty("id", out JsonElement id) || !id.TryGetInt32(out int idValue) || idValue < 0
                || !token.TryGetProperty("content", out JsonElement content) || content.ValueKind != JsonValueKind.String
                || content.GetString()!.Length == 0)
            {
                throw new InvalidDataException($"{source}: added_tokens[{index}] needs a non-negative \"id\" and a non-empty \"content\" string.");
            }

            tokens.Add(new AddedToken(
                idValue,
                content.GetString()!,
                Special: Flag(token, "special"),
                LeftStrip: Flag(token, "lstrip"),
                RightStrip: Flag(token, "rstrip")));
            index++;
        }

        return tokens;
    }

    private static bool Flag(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.True;

    private static string? TypeOf(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty("type", out JsonElement type) && type.ValueKind == JsonValueKind.String
            ? type.GetString()
            : null;

    private static void RejectUnsupported(JsonElement model, string flag, string source)
    {
        if (Flag(model, flag))
        {
            throw new InvalidDataException($"{source}: model.{flag}=true is not supported by this byte-level BPE tokenizer.");
        }
    }

    private static void RejectNonEmptyString(JsonElement model, string name, string source)
    {
        if (model.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0)
        {
            throw new InvalidDataException($"{source}: model.{name}=\"{value.GetString()}\" is not supported by this byte-level BPE tokenizer.");
        }
    }
}
