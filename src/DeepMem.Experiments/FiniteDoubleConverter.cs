using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeepMem.Experiments;

/// <summary>
/// Writes a non-finite double (NaN, infinity: an error ratio of a failed
/// case, say) as JSON null instead of throwing, and reads null back as NaN,
/// so a stored file is always valid JSON and never holds "Infinity".
/// </summary>
public sealed class FiniteDoubleConverter : JsonConverter<double>
{
    /// <inheritdoc />
    public override bool HandleNull => true;

    /// <inheritdoc />
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
