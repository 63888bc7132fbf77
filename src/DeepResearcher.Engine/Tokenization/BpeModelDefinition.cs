namespace DeepResearcher.Engine.Tokenization;

/// <summary>Everything a byte-level BPE tokenizer is built from, as read from tokenizer.json or GPT-2's file pair, or as trained.</summary>
/// <param name="Source">The file(s) it came from, named in error messages.</param>
/// <param name="Vocab">Token (spelled with <see cref="ByteLevelAlphabet"/>) → id.</param>
/// <param name="Merges">Merge pairs in rank order.</param>
/// <param name="AddedTokens">Tokens matched verbatim before BPE.</param>
/// <param name="PreTokenizer">How text is cut into pieces.</param>
/// <param name="NormalizeNfc">Whether text is NFC-normalized before pre-tokenizing.</param>
/// <param name="IgnoreMerges">Whether a piece that is a whole vocab token skips merging (Llama-3's ignore_merges).</param>
internal sealed record BpeModelDefinition(
    string Source,
    IReadOnlyDictionary<string, int> Vocab,
    IReadOnlyList<(string Left, string Right)> Merges,
    IReadOnlyList<AddedToken> AddedTokens,
    PreTokenizer PreTokenizer,
    bool NormalizeNfc,
    bool IgnoreMerges);
