using System.Net;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Protocol.Rendering;
using DeepResearcher.Serving.Generation;
using DeepResearcher.Serving.Models;
using DeepResearcher.Serving.Requests;
using DeepResearcher.Serving.Wire;

namespace DeepResearcher.Serving;

/// <summary>
/// The OpenAI-compatible API over the served models, without HTTP: reads a request body, checks it against the
/// model and the caps, renders and tokenises the prompt, takes concurrency slots and starts the choices in the model's
/// continuous batch. Every refusal is a <see cref="ServingException"/> raised before anything is generated, so a host
/// can answer it with a status before it starts a stream.
/// </summary>
public sealed class CompletionService
{
    private readonly ModelCatalog _catalog;
    private readonly ServingOptions _options;
    private readonly ConcurrencyLimiter _limiter;

    public CompletionService(ModelCatalog catalog, ServingOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _catalog = catalog;
        _options = options;
        _limiter = new ConcurrencyLimiter(options.MaxConcurrency);
        Metrics = new ServingMetrics(() => _limiter.InUse, () => _catalog.Models.Select(m => (m.Name, m.Sampler.ReusedPromptTokens, m.Sampler.PeakBatchSize)));
    }

    public ServingOptions Options => _options;

    public ServingMetrics Metrics { get; }

    /// <summary>Sequences generating now, across models.</summary>
    public int Running => _limiter.InUse;

    public ModelCatalog Catalog => _catalog;

    public ModelList ListModels() =>
        new([.. _catalog.Models.Select(m => new ModelCard(m.Name, m.Created, m.Parent, m.Root, m.ContextLength))]);

    /// <exception cref="ServingException">The request is refused (status and OpenAI error fields inside).</exception>
    public ChatCompletionJob StartChat(JsonObject body)
    {
        ChatRequest request = ChatRequest.Read(body, _options);
        ServedModel model = _catalog.Get(request.Model);
        int[] prompt = model.Tokenizer.Encode(RenderChat(request, model.Template));
        var choices = new ChoiceSpec[request.Sampling.N];
        for (int i = 0; i < choices.Length; i++)
        {
            choices[i] = SamplingPlan.Build(request.Sampling, model, prompt, _options, i, request.Sampling.PromptCacheKey);
        }

        return new ChatCompletionJob(request, model, choices, Run(model, choices), Metrics);
    }

    /// <exception cref="ServingException">The request is refused.</exception>
    public TextCompletionJob StartCompletion(JsonObject body)
    {
        CompletionRequest request = CompletionRequest.Read(body, _options);
        ServedModel model = _catalog.Get(request.Model);
        var choices = new List<ChoiceSpec>(request.Prompts.Count * request.Sampling.N);
        var echo = new List<string?>(choices.Capacity);
        foreach (CompletionPrompt prompt in request.Prompts)
        {
            int[] ids = prompt.TokenIds is { } given ? [.. given] : model.Tokenizer.Encode(prompt.Text!);
            string? echoed = null;
            if (request.Echo)
            {
                echoed = prompt.Text ?? Decode(model, ids);
            }

            for (int j = 0; j < request.Sampling.N; j++)
            {
                choices.Add(SamplingPlan.Build(request.Sampling, model, ids, _options, j, j == 0 ? request.Sampling.PromptCacheKey : null));
                echo.Add(echoed);
            }
        }

        return new TextCompletionJob(request, model, choices, echo, Run(model, choices), Metrics);
    }

    /// <summary>
    /// The prompt as the checkpoint's chat template renders it. Continuing the final message renders the whole
    /// conversation and cuts it right after that message's content (trimmed), as transformers' apply_chat_template
    /// does for vLLM, so the reply goes on from the last character the client sent.
    /// </summary>
    public static string RenderChat(ChatRequest request, IPromptRenderer template)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(template);
        IReadOnlyList<ToolSchema>? tools = request.Tools is { Count: > 0 } ? request.Tools : null;
        if (!request.ContinueFinalMessage)
        {
            return template.Render(request.Messages, tools, request.AddGenerationPrompt);
        }
        ChatMessage last = request.Messages[^1];
        string final = last.Content.Trim();
        if (final.Length == 0 && last.ToolCalls is not { Count: > 0 })
        {
            return template.Render([.. request.Messages.Take(request.Messages.Count - 1)], tools, addGenerationPrompt: true);
        }

        string rendered = template.Render(request.Messages, tools, addGenerationPrompt: false);
        int cut = final.Length > 0 ? rendered.LastIndexOf(final, StringComparison.Ordinal) : -1;
        if (cut >= 0)
        {
            return rendered[..(cut + final.Length)];
        }
        int end = rendered.LastIndexOf(template.EndOfTurn, StringComparison.Ordinal);
        if (end < 0)
        {
            throw ServingException.BadRequest("the chat template did not close the final message, so continue_final_message cannot apply", "continue_final_message");
        }
        return rendered[..end];
    }

    private GenerationRun Run(ServedModel model, IReadOnlyList<ChoiceSpec> choices)
    {
        if (choices.Count > _limiter.Capacity)
        {
            throw ServingException.BadRequest($"this request asks for {choices.Count} sequences at once, more than the server ever runs ({_limiter.Capacity}, serve model's --max-concurrency); lower n", "n");
        }

        if (!_limiter.TryAcquire(choices.Count, out IDisposable? lease))
        {
            throw new ServingException((int)HttpStatusCode.TooManyRequests,
                $"the server is generating {_limiter.InUse} of at most {_limiter.Capacity} sequences; retry after {_options.RetryAfterSeconds} s",
                code: "rate_limit_exceeded")
            {
                RetryAfterSeconds = _options.RetryAfterSeconds,
            };
        }

        return new GenerationRun(model, choices, lease!);
    }

    private static string Decode(ServedModel model, int[] ids)
    {
        int vocab = model.Sampler.Model.Config.VocabSize;
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)vocab || id >= model.Tokenizer.VocabSize)
            {
                throw ServingException.BadRequest($"prompt token id {id} is outside the vocabulary of {vocab}", "prompt");
            }
        }

        return model.Tokenizer.Decode(ids);
    }
}
