using DeepResearcher.Core.Agent;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Training.Backends;

namespace DeepResearcher.Training.Policy;

/// <summary>
/// A policy sampler (the engine's, or any policy backend's) as the agent loop's policy. It receives the exact token
/// context and returns the ids it sampled with log π(token) at temperature 1 (the policy's own probability, what
/// GRPO's ratio needs), so trajectories are token-exact. Each trajectory keeps its prefix cache between turns under its
/// id; the sampler drops those caches itself when the weight version moves. This is the one place where the agent's
/// <see cref="Core.Agent.SamplingOptions"/> become the decoder's <see cref="DecodingOptions"/>.
/// </summary>
public sealed class EnginePolicy : ITokenLevelChatModel
{
    private readonly IPolicySampler _sampler;
    private readonly EngineTokenizer _tokenizer;
    private readonly int _endOfTurn;

    public EnginePolicy(IPolicySampler sampler, EngineTokenizer tokenizer, string endOfTurn = "<|im_end|>", string name = "engine")
    {
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(tokenizer);
        _sampler = sampler;
        _tokenizer = tokenizer;
        Name = name;
        _endOfTurn = tokenizer.Inner.TokenToId(endOfTurn)
            ?? throw new ArgumentException($"the tokenizer has no '{endOfTurn}' token; a chat policy needs its end-of-turn token", nameof(endOfTurn));
    }

    public ITextTokenizer Tokenizer => _tokenizer;

    public string Name { get; }

    public bool SupportsPrefill => true;

    public async Task<ModelReply> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken)
    {
        IReadOnlyList<int> context = request.ContextTokenIds
            ?? throw new ArgumentException("the engine policy needs the token context (ResearchAgent provides it for token-level models)", nameof(request));
        var options = new DecodingOptions
        {
            Temperature = request.Sampling.Temperature,
            TopP = request.Sampling.TopP,
            TopK = request.Sampling.TopK,
            MaxNewTokens = Math.Max(1, request.Sampling.MaxTokens),
            StopTokenIds = [_endOfTurn],
            Seed = TurnSeed.Derive(request.Sampling.Seed, request.TrajectoryId, context.Count),
        };
        PolicySample result = await _sampler.SampleAsync(
            new SamplingRequest(context, options) { ConversationId = request.TrajectoryId.Length > 0 ? request.TrajectoryId : null },
            cancellationToken);
        return new ModelReply
        {
            Text = _tokenizer.Decode(result.TokenIds),
            TokenIds = result.TokenIds,
            LogProbs = result.LogProbs,
            FinishReason = result.StopReason == StopReason.MaxTokens ? FinishReason.Length : FinishReason.Stop,
            PromptTokens = context.Count,
            CompletionTokens = result.TokenIds.Length,
        };
    }
}
