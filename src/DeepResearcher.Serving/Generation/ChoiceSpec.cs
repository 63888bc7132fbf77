using DeepResearcher.Engine.Sampling;

namespace DeepResearcher.Serving.Generation;

/// <summary>One sequence to generate: its prompt ids, engine options, the ids not shown as text, and its cache key, and the end-of-turn id that stops it (null with ignore_eos).</summary>
internal sealed record ChoiceSpec(int[] PromptIds, DecodingOptions Options, IReadOnlySet<int> HiddenIds, string? ConversationId, int? EndOfTurnId);
