using System.Net;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Serving.Models;
using DeepResearcher.Serving.Requests;

namespace DeepResearcher.Serving.Generation;

/// <summary>
/// Maps a request's sampling fields onto the engine's options for one choice, against the model's context and the
/// server's caps: the end-of-turn token stops a reply unless <c>ignore_eos</c>, <c>max_tokens</c> defaults to what
/// the context leaves (at most the cap), and choice i of a seeded request samples with seed + i.
/// </summary>
internal static class SamplingPlan
{
    public static ChoiceSpec Build(SamplingFields fields, ServedModel model, int[] promptIds, ServingOptions limits, int choice, string? conversationId)
    {
        int context = model.ContextLength;
        if (promptIds.Length == 0)
        {
            throw ServingException.BadRequest("the prompt has no tokens", "prompt");
        }
        if (promptIds.Length >= context)
        {
            throw new ServingException((int)HttpStatusCode.BadRequest,
                $"This model's maximum context length is {context} tokens. However, your prompt has {promptIds.Length} tokens, which leaves no room for a reply. Please reduce the length of the messages or prompt.",
                "messages", "context_length_exceeded");
        }

        if (fields.MaxTokens is { } asked && promptIds.Length + asked > context)
        {
            throw new ServingException((int)HttpStatusCode.BadRequest,
                $"This model's maximum context length is {context} tokens. However, you requested {promptIds.Length + asked} tokens ({promptIds.Length} in the prompt, {asked} in the completion). Please reduce the length of the messages or the completion (max_tokens).",
                "max_tokens", "context_length_exceeded");
        }

        int vocab = model.Sampler.Model.Config.VocabSize;
        foreach (int id in promptIds)
        {
            if ((uint)id >= (uint)vocab)
            {
                throw ServingException.BadRequest($"prompt token id {id} is outside the vocabulary of {vocab}", "prompt");
            }
        }

        var stopIds = new List<int>(fields.StopTokenIds.Count + 1);
        foreach (int id in fields.StopTokenIds)
        {
            if ((uint)id >= (uint)vocab)
            {
                throw ServingException.BadRequest($"stop token id {id} is outside the vocabulary of {vocab}", "stop_token_ids");
            }
            stopIds.Add(id);
        }

        var stops = new List<string>(fields.Stop);
        if (!fields.IgnoreEos)
        {
            if (model.EndOfTurnId is { } end)
            {
                stopIds.Add(end);
            }
            else
            {
                stops.Add(model.Template.EndOfTurn);
            }
        }

        var options = new DecodingOptions
        {
            Temperature = fields.Temperature,
            TopP = fields.TopP,
            TopK = fields.TopK,
            MaxNewTokens = fields.MaxTokens ?? Math.Min(limits.MaxTokensCap, context - promptIds.Length),
            StopTokenIds = stopIds,
            StopStrings = stops,
            Seed = fields.Seed is { } seed ? unchecked(seed + choice) : null,
            TopLogProbs = fields.LogProbs ? fields.TopLogProbs : 0,
        };
        return new ChoiceSpec(promptIds, options, new HashSet<int>(stopIds), choice == 0 ? conversationId : null, fields.IgnoreEos ? null : model.EndOfTurnId);
    }
}
