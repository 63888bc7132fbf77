using DeepResearcher.Core.Protocol.Rendering;
using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Engine.Tokenization;

namespace DeepResearcher.Serving.Models;

/// <summary>
/// One model name the server answers to: a weight set with its own continuous-batching sampler (so the requests to it
/// share one batch and its cache), the checkpoint's tokenizer and chat template, and its context length. The server
/// never changes the weights.
/// </summary>
public sealed class ServedModel : IAsyncDisposable
{
    public ServedModel(string name, TransformerModel model, BpeTokenizer tokenizer, IPromptRenderer template, ServingOptions options, string root, string? parent = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(options);
        if (tokenizer.VocabSize > model.Config.VocabSize)
        {
            throw new ArgumentException($"the tokenizer has {tokenizer.VocabSize} tokens but the model only {model.Config.VocabSize}; they are not from the same checkpoint", nameof(tokenizer));
        }
        Name = name;
        Parent = parent;
        Root = root;
        Tokenizer = tokenizer;
        Template = template;
        ContextLength = model.Config.MaxPositionEmbeddings;
        EndOfTurnId = tokenizer.TokenToId(template.EndOfTurn);
        Sampler = new ContinuousBatchingSampler(model, tokenizer, new ContinuousBatchingOptions
        {
            MaxBatchSize = options.MaxBatchSize,
            // One request may use the whole context; the batch shares the budget of a few such requests.
            MaxTotalTokens = Math.Max(ContextLength, Math.Min(ContextLength * options.MaxBatchSize, 1 << 17)),
        });
    }

    public string Name { get; }

    /// <summary>The base model's name when this is a LoRA adapter over it.</summary>
    public string? Parent { get; }

    /// <summary>The directory the weights came from.</summary>
    public string Root { get; }

    public ContinuousBatchingSampler Sampler { get; }

    public BpeTokenizer Tokenizer { get; }

    public IPromptRenderer Template { get; }

    /// <summary>Prompt plus generated tokens, at most (the model's <c>max_position_embeddings</c>).</summary>
    public int ContextLength { get; }

    /// <summary>The id of the template's end-of-turn token, where a reply stops; null if the tokenizer has no such single token.</summary>
    public int? EndOfTurnId { get; }

    public long Created { get; } = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public ValueTask DisposeAsync() => Sampler.DisposeAsync();
}
