import Foundation
import VoxModel

/// A training progress bar on stderr: redrawn in place on a terminal, a line every 10% otherwise.
final class ProgressBar {
    private let terminal = isatty(2) != 0
    private var lastDecile = -1

    func show(_ progress: TrainingProgress) {
        if let message = progress.message {
            FileHandle.standardError.write(Data(((terminal ? "\r\u{1B}[K" : "") + "vox: " + message + "\n").utf8))
            return
        }
        let fraction = Double(progress.step) / Double(max(1, progress.stepsPerEpoch))
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let eta = Int(progress.secondsLeft)
        let line = String(
            format: "epoch %d/%d %@ %d/%d  loss %.4f  lr %.2e  %.0f posts/s  ETA %d:%02d", progress.epoch,
            progress.epochs, bar,
            progress.step, progress.stepsPerEpoch, progress.loss, progress.learningRate, progress.postsPerSecond,
            eta / 60, eta % 60)
        if terminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        } else if Int(fraction * 10) != lastDecile {
            lastDecile = Int(fraction * 10)
            FileHandle.standardError.write(Data(("vox: " + line + "\n").utf8))
        }
    }
}
