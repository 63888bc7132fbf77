using System.Text.Json;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Protocol.Rendering;
using DeepResearcher.Engine.Tokenization;

namespace DeepResearcher.Serving.Models;

/// <summary>
/// Which of the project's byte-exact chat templates a checkpoint uses: the one its <c>agent_settings.json</c> names
/// (written by <c>train</c>), else the one whose end-of-turn token its tokenizer has.
/// </summary>
public static class ChatTemplates
{
    public const string AgentSettingsFileName = "agent_settings.json";

    public static async Task<IPromptRenderer> ForCheckpointAsync(string directory, BpeTokenizer tokenizer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        string settings = Path.Combine(directory, AgentSettingsFileName);
        if (File.Exists(settings))
        {
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(await File.ReadAllTextAsync(settings, cancellationToken).ConfigureAwait(false));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{settings} is not valid JSON ({e.Message}); fix or delete it (the template is then chosen from the tokenizer)", e);
            }

            if (node is JsonObject o && o["template"] is JsonValue v && v.TryGetValue(out string? name))
            {
                try
                {
                    return PromptRenderers.Get(name);
                }
                catch (ArgumentException e)
                {
                    throw new InvalidDataException($"{settings} names the chat template '{name}', which this build does not know ({e.Message})", e);
                }
            }
        }

        return FromTokenizer(tokenizer);
    }

    public static IPromptRenderer FromTokenizer(BpeTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        foreach (IPromptRenderer renderer in PromptRenderers.All)
        {
            if (tokenizer.TokenToId(renderer.EndOfTurn) is not null)
            {
                return renderer;
            }
        }

        return Qwen25ChatTemplate.Instance;
    }
}
