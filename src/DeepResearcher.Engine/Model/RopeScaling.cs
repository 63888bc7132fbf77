namespace DeepResearcher.Engine.Model;

/// <summary>
/// Context-extension rescaling of rotary frequencies, as Hugging Face's <c>rope_scaling</c>: "linear" divides every
/// frequency by <see cref="Factor"/>; "llama3" divides only the low frequencies and blends the middle band.
/// </summary>
public sealed record RopeScaling
{
    public required string Type { get; init; }

    public required double Factor { get; init; }

    public double LowFreqFactor { get; init; } = 1.0;

    public double HighFreqFactor { get; init; } = 4.0;

    public int OriginalMaxPositionEmbeddings { get; init; } = 8192;

    public double Apply(double inverseFrequency)
    {
        switch (Type)
        {
            case "linear":
                return inverseFrequency / Factor;
            case "llama3":
            {
                double wavelength = 2 * Math.PI / inverseFrequency;
                double lowFreqWavelength = OriginalMaxPositionEmbeddings / LowFreqFactor;
                double highFreqWavelength = OriginalMaxPositionEmbeddings / HighFreqFactor;
                if (wavelength < highFreqWavelength) return inverseFrequency;
                if (wavelength > lowFreqWavelength) return inverseFrequency / Factor;
                double smooth = (OriginalMaxPositionEmbeddings / wavelength - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
                return (1 - smooth) * inverseFrequency / Factor + smooth * inverseFrequency;
            }
            default:
                throw new NotSupportedException($"rope_scaling type '{Type}' is not supported (linear, llama3)");
        }
    }
}
