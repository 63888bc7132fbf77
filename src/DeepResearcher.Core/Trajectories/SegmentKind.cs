namespace DeepResearcher.Core.Trajectories;

public enum SegmentKind
{
    /// <summary>The opening prompt: system message, tools block, question, generation prompt and prefill. Mask 0.</summary>
    Prompt,

    /// <summary>Text the policy generated. The only kind with mask 1.</summary>
    Policy,

    /// <summary>Template text and tool output between two policy turns (tool responses, headers, prefill). Mask 0.</summary>
    Environment,
}
