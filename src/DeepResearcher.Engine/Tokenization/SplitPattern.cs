namespace DeepResearcher.Engine.Tokenization;

/// <summary>The split patterns that have a hand-written matcher.</summary>
internal enum SplitPattern
{
    Gpt2,
    Qwen2,
    Llama3,
}
