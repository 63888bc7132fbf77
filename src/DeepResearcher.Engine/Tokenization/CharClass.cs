namespace DeepResearcher.Engine.Tokenization;

/// <summary>The character classes the split patterns of byte-level tokenizers distinguish.</summary>
internal enum CharClass : byte
{
    /// <summary>Neither letter, number nor whitespace (punctuation, symbols, emoji, marks, controls).</summary>
    Other = 0,
    Letter = 1,
    Number = 2,
    /// <summary>Whitespace other than CR and LF.</summary>
    Space = 3,
    /// <summary>CR or LF, which the Qwen / Llama-3 patterns treat apart from other whitespace.</summary>
    LineBreak = 4,
}
