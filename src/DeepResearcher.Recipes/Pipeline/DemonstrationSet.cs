using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Engine.Tokenization;
using DeepResearcher.Training.Policy;
using DeepResearcher.Training.Rollouts;
using DeepResearcher.World.Demonstration;
using DeepResearcher.World.Questions;

namespace DeepResearcher.Recipes.Pipeline;

/// <summary>
/// Demonstrations for the supervised warm start: the world's expert researching train questions through the real
/// tools, or trajectories from a JSONL file (for instance a stronger model's, recorded by <c>eval run</c>).
/// </summary>
public static class DemonstrationSet
{
    // The expert is cheap; the tools are loopback HTTP. A few dozen episodes in flight keep both busy.
    private const int Concurrency = 32;

    /// <summary>The expert's trajectories as text (no tokenizer yet): what the tokenizer is trained on.</summary>
    public static async Task<List<string>> ExpertTextsAsync(
        IReadOnlyList<WorldQuestion> questions, IToolbox toolbox, ResearchAgentOptions options, ExpertNoise noise, ulong seed, CancellationToken cancellationToken)
    {
        Trajectory[] trajectories = await RunAsync(questions, q => new ResearchAgent(new ExpertDemonstrator(q, noise, seed), toolbox, options), "demo-text", cancellationToken);
        return [.. trajectories.Select(t => t.Text())];
    }

    /// <summary>The expert's trajectories tokenized as they are written, so their masks are exact.</summary>
    public static async Task<List<PolicySequence>> ExpertSequencesAsync(
        IReadOnlyList<WorldQuestion> questions, IToolbox toolbox, ResearchAgentOptions options, ExpertNoise noise, ulong seed, EngineTokenizer tokenizer, CancellationToken cancellationToken)
    {
        Trajectory[] trajectories = await RunAsync(
            questions, q => new ResearchAgent(new TokenizingChatModel(new ExpertDemonstrator(q, noise, seed), tokenizer), toolbox, options), "demo", cancellationToken);
        return [.. trajectories.Select(t => PolicySequence.FromTrajectory(t, 1.0))];
    }

    /// <summary>
    /// Trajectories from a JSONL file, tokenized segment by segment with <paramref name="tokenizer"/>: the policy's
    /// segments get mask 1, prompts and tool output 0. Re-tokenizing text is safe here (unlike in RL) because SFT
    /// trains on the text itself, not on what a sampler drew.
    /// </summary>
    public static async Task<List<PolicySequence>> FromFileAsync(string path, BpeTokenizer tokenizer, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"sft.demonstrations: {path} not found (a JSONL of trajectories, one per line, as 'eval run' writes to trajectories.jsonl)", path);
        }

        var sequences = new List<PolicySequence>();
        int line = 0;
        await foreach (Trajectory trajectory in TrajectoryJson.ReadAsync(path, cancellationToken))
        {
            line++;
            if (trajectory.Termination != TerminationReason.Answered)
            {
                continue;
            }

            var ids = new List<int>();
            var mask = new List<byte>();
            foreach (TrajectorySegment segment in trajectory.Segments)
            {
                int[] tokens = tokenizer.Encode(segment.Text, allowSpecialTokens: true);
                ids.AddRange(tokens);
                mask.AddRange(Enumerable.Repeat(segment.Kind == SegmentKind.Policy ? (byte)1 : (byte)0, tokens.Length));
            }

            if (ids.Count < 2 || !mask.Contains((byte)1))
            {
                throw new InvalidDataException($"{path}:{line}: trajectory {trajectory.Id} has no policy text to learn from");
            }

            sequences.Add(new PolicySequence([.. ids[..^1]], [.. ids[1..]], [.. mask[1..]], new float[ids.Count - 1], 1f));
        }

        return sequences.Count > 0
            ? sequences
            : throw new InvalidDataException($"{path}: no answered trajectories to learn from ({line} lines read)");
    }

    /// <summary>The texts of a trajectory file, for training a tokenizer on it.</summary>
    public static async Task<List<string>> FileTextsAsync(string path, CancellationToken cancellationToken)
    {
        var texts = new List<string>();
        await foreach (Trajectory trajectory in TrajectoryJson.ReadAsync(path, cancellationToken))
        {
            texts.Add(trajectory.Text());
        }

        return texts;
    }

    private static async Task<Trajectory[]> RunAsync(IReadOnlyList<WorldQuestion> questions, Func<WorldQuestion, ResearchAgent> agentFor, string prefix, CancellationToken cancellationToken)
    {
        var results = new Trajectory[questions.Count];
        using var slots = new SemaphoreSlim(Concurrency);
        await Task.WhenAll(questions.Select(async (q, i) =>
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                results[i] = await agentFor(q).RunAsync(q.Question, cancellationToken, q.Id, $"{prefix}-{q.Id}");
            }
            finally
            {
                slots.Release();
            }
        }));
        return results;
    }
}
