using DeepResearcher.Core.Agent;

namespace DeepResearcher.Evaluation.Tests;

/// <summary>
/// A policy that plays a fixed list of turns per question (the text after the &lt;think&gt; prefill), so runs are
/// deterministic and need no server. <see cref="OnCall"/> lets a test interrupt a run mid-way.
/// </summary>
internal sealed class ScriptedPolicy(IReadOnlyList<string> turns) : IChatModel
{
    private int _turn;

    public Action? OnCall { get; init; }

    public string Name => "scripted-policy";

    public bool SupportsPrefill => true;

    public static ScriptedPolicy Answering(string answer, Action? onCall = null)
        => new([$"I know this.</think>\n<answer>{answer}</answer>"]) { OnCall = onCall };

    public Task<ModelReply> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken)
    {
        OnCall?.Invoke();
        cancellationToken.ThrowIfCancellationRequested();
        string text = turns[Math.Min(_turn++, turns.Count - 1)];
        return Task.FromResult(new ModelReply { Text = text, CompletionTokens = text.Length / 4 });
    }
}
