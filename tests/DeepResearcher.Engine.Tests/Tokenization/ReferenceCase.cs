namespace DeepResearcher.Engine.Tests.Tokenization;

/// <summary>
/// One reference string. The shared file has only qwen3 and gpt2 ids; the generated file adds llama3 ids and
/// <paramref name="Nfc"/>, the text's NFC form per Node.js.
/// </summary>
internal sealed record ReferenceCase(string Where, string Text, int[] Qwen3, int[] Gpt2, int[]? Llama3, string? Nfc);
