namespace DeepResearcher.Engine.Tokenization;

/// <summary>
/// Cuts normalized text into the pieces BPE runs on, like the Split pre-tokenizer (behavior Isolated) of
/// Hugging Face tokenizers. Every character belongs to exactly one piece.
/// </summary>
internal abstract class PreTokenizer
{
    /// <summary>The regex this pre-tokenizer implements, as written in tokenizer.json.</summary>
    public abstract string Pattern { get; }

    /// <summary>True when the pattern is applied by the ByteLevel pre-tokenizer itself (GPT-2's use_regex) rather than by a Split step.</summary>
    public bool AppliedByByteLevel { get; init; }

    /// <summary>End (exclusive) of the piece that starts at <paramref name="start"/>; always greater than <paramref name="start"/>.</summary>
    public abstract int NextPieceEnd(ReadOnlySpan<char> text, int start);

    /// <summary>Picks the hand-written matcher for the well-known patterns and falls back to .NET regex for others.</summary>
    public static PreTokenizer ForPattern(string pattern, bool appliedByByteLevel, string source)
    {
        if (pattern == SplitPatternPreTokenizer.Gpt2Pattern)
        {
            return new SplitPatternPreTokenizer(SplitPattern.Gpt2) { AppliedByByteLevel = appliedByByteLevel };
        }

        if (pattern == SplitPatternPreTokenizer.Qwen2Pattern)
        {
            return new SplitPatternPreTokenizer(SplitPattern.Qwen2) { AppliedByByteLevel = appliedByByteLevel };
        }

        if (pattern == SplitPatternPreTokenizer.Llama3Pattern)
        {
            return new SplitPatternPreTokenizer(SplitPattern.Llama3) { AppliedByByteLevel = appliedByByteLevel };
        }

        try
        {
            return new RegexPreTokenizer(pattern) { AppliedByByteLevel = appliedByByteLevel };
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException(
                $"{source}: the pre-tokenizer pattern '{pattern}' is not a regex .NET can run ({e.Message}). " +
                "Only byte-level BPE tokenizers with GPT-2, Qwen2 or Llama-3 style split patterns are supported.", e);
        }
    }
}
