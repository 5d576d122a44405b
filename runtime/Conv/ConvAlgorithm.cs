namespace DyCompile.Runtime;

/// <summary>Which convolution kernel runs. <see cref="Auto"/> is what the public operations use;
/// the others pin a kernel so tests can check each one and benchmarks can compare them.</summary>
internal enum ConvAlgorithm
{
    /// <summary>Whichever is faster for the shape (see TensorOps.ChooseConvAlgorithm).</summary>
    Auto,

    /// <summary>im2col panels + the packed SGEMM (the 1×1 unit-stride case reads the image as
    /// the GEMM operand); depthwise runs per plane with row updates.</summary>
    Im2ColGemm,

    /// <summary>The direct kernels on the phase image, with FMA instructions where available.</summary>
    Direct,

    /// <summary>The direct kernels with the portable vector code, on any machine.</summary>
    DirectPortable,

    /// <summary>The pointwise kernel (1×1, unit stride, no padding, groups = 1) reading the image
    /// in place, with FMA instructions where available; other shapes run <see cref="Direct"/>.</summary>
    Pointwise,

    /// <summary>The pointwise kernel with the portable vector code; other shapes run
    /// <see cref="DirectPortable"/>.</summary>
    PointwisePortable,

    /// <summary>The tile of 16 output channels × 16 pixels (ChannelVectorConv) in zmm or ymm
    /// registers where it covers the shape and the path is AVX-512 or AVX2; other cases run
    /// <see cref="Direct"/>.</summary>
    ChannelVector,
}
