import ArgumentParser
import SharpMedia
import SharpNet

// Library types used directly as command-line values (no shadow enums in the executables).
extension FusedStudentEngine.Precision: ExpressibleByArgument {}
extension ArchitectureSpec: ExpressibleByArgument {}
extension VideoCodec: ExpressibleByArgument {}
extension FrameFit: ExpressibleByArgument {}
