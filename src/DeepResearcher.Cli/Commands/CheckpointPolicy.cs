using DeepResearcher.ChatModels;
using DeepResearcher.Core.Agent;
using DeepResearcher.Server.Model;
using DeepResearcher.Serving;
using DeepResearcher.Training.Policy;

namespace DeepResearcher.Cli.Commands;

/// <summary>
/// <c>--checkpoint DIR</c>: the checkpoint behind the model server in this process, on a free loopback port, and the
/// policy that calls it over HTTP as any served model is called. The agent's policy is the token-level completions
/// client (the exact context out, the sampled ids and log-probabilities back, so a greedy evaluation is token for token
/// what train's in-process sampler scored); <see cref="Chat"/> is the chat client for callers that send messages
/// (the prompt baselines).
/// </summary>
internal sealed class CheckpointPolicy : IAsyncDisposable
{
    private readonly ServedCheckpoint _served;

    private CheckpointPolicy(ServedCheckpoint served, OpenAICompletionsModel model, OpenAIChatModel chat)
    {
        _served = served;
        Model = model;
        Chat = chat;
    }

    public OpenAICompletionsModel Model { get; }

    public OpenAIChatModel Chat { get; }

    public Uri ApiBaseUrl => _served.ApiBaseUrl;

    /// <summary>The checkpoint's context in tokens (its <c>max_position_embeddings</c>): more is a 400 from the server.</summary>
    public int ContextLength => _served.BaseModel.ContextLength;

    /// <summary>
    /// <paramref name="options"/> with a context no longer than the checkpoint's: a longer one (a checkpoint without
    /// agent settings gets the original's 32,768) would have the agent ask for more than the server may generate.
    /// </summary>
    public ResearchAgentOptions FitContext(ResearchAgentOptions options, TextWriter log)
    {
        if (options.MaxContextTokens <= ContextLength)
        {
            return options;
        }

        log.WriteLine($"the agent's context of {options.MaxContextTokens} tokens is over the checkpoint's {ContextLength}; the agent uses {ContextLength}");
        return options with { MaxContextTokens = ContextLength };
    }

    /// <param name="concurrency">Trajectories the command runs at once: the server admits them all, so none waits on a 429.</param>
    /// <param name="maxTokensPerTurn">The agent's turn limit: the server's max_tokens cap is at least this.</param>
    public static async Task<CheckpointPolicy> StartAsync(DirectoryInfo checkpoint, int concurrency, int maxTokensPerTurn, TextWriter log, CancellationToken cancellationToken)
    {
        var defaults = new ServingOptions();
        var serving = new ServingOptions
        {
            MaxConcurrency = Math.Max(defaults.MaxConcurrency, concurrency),
            MaxBatchSize = Math.Clamp(concurrency, defaults.MaxBatchSize, 16),
            MaxTokensCap = Math.Max(defaults.MaxTokensCap, maxTokensPerTurn),
        };
        ServedCheckpoint served = await ServedCheckpoint.StartLocalAsync(checkpoint.FullName, serving, checkpoint.Name, new PlainLogProvider(log), cancellationToken);
        OpenAIChatModelOptions Endpoint(bool prefill) => new()
        {
            BaseUrl = served.ApiBaseUrl,
            Model = served.BaseModel.Name,
            ApiKey = "in-process",
            // No network to fail on loopback; a long turn of a large model on a CPU must not be cut off and resampled.
            Timeout = TimeSpan.FromHours(1),
            MaxRetries = 2,
            ContinueFinalMessage = prefill,
        };
        var model = new OpenAICompletionsModel(Endpoint(prefill: false), new EngineTokenizer(served.BaseModel.Tokenizer));
        return new CheckpointPolicy(served, model, new OpenAIChatModel(Endpoint(prefill: true)));
    }

    public ValueTask DisposeAsync() => _served.DisposeAsync();
}
