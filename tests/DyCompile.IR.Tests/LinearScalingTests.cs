using System.Text;
using DyCompile.Tests.Shared;

namespace DyCompile.IR.Tests;

/// <summary>Parsing and verifying grow linearly with the number of blocks. A chain of 40,000
/// blocks (each one op and a jump to the next) is checked end to end, and the time for 8N blocks
/// is compared with the time for N (see <see cref="GrowthRatio"/>): linear work gives a ratio near
/// 8, work quadratic in the number of blocks near 64, so the loose bound of 24 separates them
/// without asserting any absolute time. The class runs alone so that other
/// tests do not share its cores while it measures.</summary>
[Collection(nameof(LinearScalingTests))]
public class LinearScalingTests
{
    private static string Chain(int blocks)
    {
        const string type = "tensor<f32, [4]>";
        var sb = new StringBuilder($"program @chain(%x: {type}, %w: {type}) -> ({type}) {{\n  weight @bias : {type}\n^entry(%x: {type}, %w: {type}):\n  jump ^b0(%x)\n");
        for (var i = 0; i < blocks; i++)
        {
            sb.Append($"^b{i}(%v{i}: {type}):\n  %r{i} = add(%v{i}, @bias) : {type}\n");
            sb.Append(i + 1 < blocks ? $"  jump ^b{i + 1}(%r{i})\n" : $"  return %r{i}\n");
        }
        return sb.Append("}\n").ToString();
    }

    [Fact]
    public void FortyThousandChainedBlocksParseAndVerify()
    {
        var program = IRParser.Parse(Chain(40_000));
        Assert.Equal(40_001, program.Blocks.Length);
        Assert.Empty(Verifier.Verify(program));
    }

    [Fact]
    public void VerifyTimeGrowsLinearlyWithBlocks()
    {
        const int n = 5_000;
        IRProgram small = IRParser.Parse(Chain(n)), large = IRParser.Parse(Chain(8 * n));
        var ratio = GrowthRatio.Of(() => Verifier.Verify(small), () => Verifier.Verify(large));
        Assert.True(ratio < 24, $"verifying {8 * n} blocks took {ratio:F1}x the processor time of {n}; linear work gives about 8");
    }

    [Fact]
    public void ParseTimeGrowsLinearlyWithBlocks()
    {
        const int n = 5_000;
        string small = Chain(n), large = Chain(8 * n);
        var ratio = GrowthRatio.Of(() => IRParser.Parse(small), () => IRParser.Parse(large));
        Assert.True(ratio < 24, $"parsing {8 * n} blocks took {ratio:F1}x the processor time of {n}; linear work gives about 8");
    }
}

[CollectionDefinition(nameof(LinearScalingTests), DisableParallelization = true)]
public sealed class LinearScalingCollection;
