/// <summary>One timed phase of the bench: the cached calls it served and the hostile requests it sent alongside.</summary>
internal sealed record Phase(double Seconds, int Calls, double CallsPerSecond, double P50, double P99, int Errors, int Hostile, int HostileWrong);
