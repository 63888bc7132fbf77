using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DeepResearcher.Training.Grpo;

namespace DeepResearcher.Training.Tests.Grpo;

public class GrpoStepInstrumentsTests
{
    [Fact]
    public void A_step_is_recorded_on_the_training_meter_tagged_with_its_run()
    {
        string run = "run-" + Guid.NewGuid().ToString("N");
        var seen = new ConcurrentDictionary<string, double>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GrpoStepInstruments.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        // The meter is process-wide: other tests' steps are told apart by the run tag.
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Keep(instrument, value, tags));
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Keep(instrument, value, tags));
        listener.Start();
        GrpoStepMetrics metrics = GrpoStepMetrics.FromJsonLine(
            """{"step":7,"reward_mean":0.25,"reward_std":0.5,"f1":0.4,"format_error_rate":0,"answer_rate":0.75,"searches":1.5,"browses":0.5,"turns":3,"response_tokens":120,"kl":0.01,"entropy":1.2,"clip_fraction":0.05,"grad_norm":0.9,"lr":0.001,"loss":0.3,"dropped_groups":0,"time_rollout_s":4,"time_tools_s":1,"time_update_s":2,"search_cache_hit_rate":0.5}""");

        GrpoStepInstruments.Record(run, metrics);

        Assert.Equal(7, seen["deepresearcher_train_step"]);
        Assert.Equal(0.25, seen["deepresearcher_train_reward_mean"]);
        Assert.Equal(0.4, seen["deepresearcher_train_f1"]);
        Assert.Equal(0.01, seen["deepresearcher_train_kl"]);
        Assert.Equal(1.2, seen["deepresearcher_train_entropy"]);
        Assert.Equal(2, seen["deepresearcher_train_tool_calls"]);
        Assert.Equal(1, seen["deepresearcher_train_steps_total"]);
        Assert.Equal(6, seen["deepresearcher_train_step_seconds"]);

        void Keep<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
            where T : struct
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "run" && Equals(tag.Value, run))
                {
                    // Histograms add up their phases; gauges and the counter are recorded once.
                    seen.AddOrUpdate(instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), (_, old) => old + Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }
    }
}
