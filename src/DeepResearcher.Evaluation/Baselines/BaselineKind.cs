namespace DeepResearcher.Evaluation.Baselines;

/// <summary>The paper's prompt-only baselines (Tables 1–2).</summary>
public enum BaselineKind
{
    /// <summary>Chain of thought from the model's own knowledge, no tools.</summary>
    Cot,

    /// <summary>One search with the question; the top results go into the prompt, then chain of thought.</summary>
    CotRag,
}
