using static DyCompile.Runtime.Tests.SafeTensorsFiles;

namespace DyCompile.Runtime.Tests;

/// <summary>F16, BF16 and F64 checkpoints load as f32: half-precision values exactly, doubles
/// rounded to the nearest f32 with ties to even.</summary>
public class SafeTensorsConversionTests
{
    private static void AssertBits(float expected, float actual, string what) =>
        Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
            $"{what}: expected {expected:R} (0x{BitConverter.SingleToInt32Bits(expected):X8}), got {actual:R} (0x{BitConverter.SingleToInt32Bits(actual):X8})");

    private static Tensor LoadOne(string dtype, int[] shape, byte[] data)
    {
        var header = $$$"""{"t":{"dtype":"{{{dtype}}}","shape":[{{{string.Join(",", shape)}}}],"data_offsets":[0,{{{data.Length}}}]}}""";
        var content = SafeTensors.Read(Of(header, data));
        Assert.Equal(dtype, content.StoredDTypes["t"]);
        var t = content.Tensors["t"];
        Assert.Equal(DType.Float32, t.DType);
        Assert.Equal(shape, t.ShapeArray());
        return t;
    }

    [Fact]
    public void F16LoadsExactlyIncludingSubnormalsInfinitiesAndNaN()
    {
        (ushort Bits, float Value, string What)[] cases =
        [
            (0x0000, 0f, "+0"),
            (0x8000, -0f, "-0"),
            (0x3C00, 1f, "1"),
            (0xC000, -2f, "-2"),
            (0x3555, 0.333251953125f, "nearest half to 1/3"),
            (0x0001, MathF.ScaleB(1f, -24), "smallest subnormal"),
            (0x83FF, -1023 * MathF.ScaleB(1f, -24), "largest negative subnormal"),
            (0x0400, MathF.ScaleB(1f, -14), "smallest normal"),
            (0x7BFF, 65504f, "largest finite"),
            (0x7C00, float.PositiveInfinity, "+inf"),
            (0xFC00, float.NegativeInfinity, "-inf"),
        ];
        var t = LoadOne("F16", [cases.Length + 2], UInt16s([.. cases.Select(c => c.Bits), 0x7E00, 0xFD01]));
        for (var i = 0; i < cases.Length; i++) AssertBits(cases[i].Value, t.Floats[i], cases[i].What);
        Assert.True(float.IsNaN(t.Floats[^2]) && !float.IsNegative(t.Floats[^2]), "quiet NaN");
        Assert.True(float.IsNaN(t.Floats[^1]) && float.IsNegative(t.Floats[^1]), "negative signalling NaN stays a negative NaN");
    }

    [Fact]
    public void BF16LoadsExactlyIncludingSubnormalsInfinitiesAndNaN()
    {
        (ushort Bits, float Value, string What)[] cases =
        [
            (0x0000, 0f, "+0"),
            (0x8000, -0f, "-0"),
            (0x3F80, 1f, "1"),
            (0xC040, -3f, "-3"),
            (0x3EAB, 0.333984375f, "nearest bfloat16 to 1/3"),
            (0x0001, MathF.ScaleB(1f, -133), "smallest subnormal"),
            (0x807F, -127 * MathF.ScaleB(1f, -133), "largest negative subnormal"),
            (0x0080, MathF.ScaleB(1f, -126), "smallest normal"),
            (0x7F7F, (2f - MathF.ScaleB(1f, -7)) * MathF.ScaleB(1f, 127), "largest finite"),
            (0x7F80, float.PositiveInfinity, "+inf"),
            (0xFF80, float.NegativeInfinity, "-inf"),
        ];
        var t = LoadOne("BF16", [cases.Length + 1], UInt16s([.. cases.Select(c => c.Bits), 0x7FC0]));
        for (var i = 0; i < cases.Length; i++) AssertBits(cases[i].Value, t.Floats[i], cases[i].What);
        Assert.True(float.IsNaN(t.Floats[^1]), "NaN");
    }

    [Fact]
    public void F64RoundsToTheNearestSingleTiesToEven()
    {
        var ulpBelowOne = Math.ScaleB(1.0, -24); // half an f32 ulp at 1
        (double Stored, float Value, string What)[] cases =
        [
            (0.1, 0.1f, "0.1 to the nearest f32"),
            (1 + ulpBelowOne, 1f, "tie between 1 and its successor goes to the even 1"),
            (1 + 3 * ulpBelowOne, 1f + MathF.ScaleB(1f, -22), "tie goes to the even successor"),
            (1 + ulpBelowOne + Math.ScaleB(1.0, -50), 1f + MathF.ScaleB(1f, -23), "just above a tie rounds up"),
            (-2.5, -2.5f, "exact"),
            (Math.ScaleB(1.0, -149), float.Epsilon, "smallest f32 subnormal"),
            (Math.ScaleB(1.0, -150), 0f, "half the smallest subnormal ties to zero"),
            (3 * Math.ScaleB(1.0, -151), float.Epsilon, "three quarters of it rounds up"),
            (-1e-50, -0f, "underflow keeps the sign"),
            (float.MaxValue, float.MaxValue, "largest f32"),
            (Math.ScaleB(2 - Math.ScaleB(1.0, -24), 127), float.PositiveInfinity, "tie above the largest f32 overflows"),
            (1e300, float.PositiveInfinity, "beyond f32's range"),
            (double.MinValue, float.NegativeInfinity, "beyond f32's range, negative"),
            (double.PositiveInfinity, float.PositiveInfinity, "+inf"),
        ];
        var t = LoadOne("F64", [2, cases.Length / 2 + 1], Doubles([.. cases.Select(c => c.Stored), double.NaN, double.NaN]));
        for (var i = 0; i < cases.Length; i++) AssertBits(cases[i].Value, t.Floats[i], cases[i].What);
        Assert.True(float.IsNaN(t.Floats[^1]), "NaN");
    }

    [Fact]
    public void MixedFileLoadsEachTensorFromItsOwnBytes()
    {
        // Larger than one conversion chunk, so the chunked read is exercised end to end.
        const int n = 70_001;
        var halves = Enumerable.Range(0, n).Select(i => (ushort)(i * 7919 % 65536)).ToArray();
        var f16 = UInt16s(halves);
        var f64 = Doubles(Math.PI, -Math.E);
        var f32 = Singles(0.5f);
        var bf16 = UInt16s(0x4049); // 3.140625
        long a = f16.Length, b = a + f64.Length, c = b + f32.Length, d = c + bf16.Length;
        var header = $$$"""{"__metadata__":{"format":"pt"},"w.half":{"dtype":"F16","shape":[{{{n}}}],"data_offsets":[0,{{{a}}}]},"w.double":{"dtype":"F64","shape":[2],"data_offsets":[{{{a}}},{{{b}}}]},"w.single":{"dtype":"F32","shape":[],"data_offsets":[{{{b}}},{{{c}}}]},"w.brain":{"dtype":"BF16","shape":[1,1],"data_offsets":[{{{c}}},{{{d}}}]}}""";
        var content = SafeTensors.Read(Of(header, [.. f16, .. f64, .. f32, .. bf16]));

        var loaded = content.Tensors["w.half"].Floats;
        for (var i = 0; i < n; i++)
        {
            var expected = (float)BitConverter.UInt16BitsToHalf(halves[i]);
            if (float.IsNaN(expected)) Assert.True(float.IsNaN(loaded[i]), $"element {i}: NaN");
            else AssertBits(expected, loaded[i], $"element {i}");
        }
        Assert.Equal(new[] { (float)Math.PI, (float)-Math.E }, content.Tensors["w.double"].Floats.ToArray());
        Assert.Equal(0.5f, content.Tensors["w.single"].Floats[0]);
        Assert.Equal(3.140625f, content.Tensors["w.brain"].Floats[0]);
        Assert.Equal(new Dictionary<string, string> { ["w.half"] = "F16", ["w.double"] = "F64", ["w.single"] = "F32", ["w.brain"] = "BF16" }, content.StoredDTypes);
        Assert.All(content.Tensors.Values, t => Assert.Equal(DType.Float32, t.DType));
    }

    [Fact]
    public void ConvertedTensorsSaveAsF32()
    {
        var loaded = SafeTensors.Load(Of("""{"x":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}""", UInt16s(0x3C00, 0xBC00)));
        var saved = SafeTensors.Read(SafeTensors.SaveToBytes(loaded));
        Assert.Equal("F32", saved.StoredDTypes["x"]);
        Assert.Equal(new[] { 1f, -1f }, saved.Tensors["x"].Floats.ToArray());
    }

    [Theory]
    [InlineData("F16", 3, 4)]
    [InlineData("BF16", 2, 2)]
    [InlineData("F64", 1, 4)]
    public void ConvertedDTypesCheckTheirByteLength(string dtype, int elements, int bytes)
    {
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(Of($$$"""{"x":{"dtype":"{{{dtype}}}","shape":[{{{elements}}}],"data_offsets":[0,{{{bytes}}}]}}""", new byte[bytes])));
        Assert.Contains($"of {dtype} needs", e.Message);
    }
}
