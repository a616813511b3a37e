//! Recording media: silence of a recording's length, as a WAV (Twilio's default) or an MP3.
//! The emulator carries speech as text, so there is no sound to give; a valid file of the
//! right duration lets a client's download and decode path be tested.

/// The longest media served, in seconds, so a long call cannot make a large response.
pub const MAX_MEDIA_SECS: u32 = 30;

const WAV_SAMPLE_RATE: u32 = 8000;

/// A 16-bit mono 8 kHz PCM WAV of `secs` seconds of silence (capped at [`MAX_MEDIA_SECS`]).
pub fn silent_wav(secs: u32) -> Vec<u8> {
    let samples = WAV_SAMPLE_RATE * secs.min(MAX_MEDIA_SECS);
    let data_len = samples * 2;
    let mut wav = Vec::with_capacity(44 + data_len as usize);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&WAV_SAMPLE_RATE.to_le_bytes());
    wav.extend_from_slice(&(WAV_SAMPLE_RATE * 2).to_le_bytes()); // bytes per second
    wav.extend_from_slice(&2u16.to_le_bytes()); // block align
    wav.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    wav.resize(44 + data_len as usize, 0);
    wav
}

/// MPEG-1 Layer III, 32 kbit/s, 32 kHz, mono, no CRC: 144-byte frames of 1152 samples.
const MP3_FRAME_HEADER: [u8; 4] = [0xFF, 0xFB, 0x18, 0xC4];
const MP3_FRAME_BYTES: usize = 144;
const MP3_SAMPLES_PER_FRAME: u32 = 1152;
const MP3_SAMPLE_RATE: u32 = 32_000;

/// An MP3 of `secs` seconds of silence (capped at [`MAX_MEDIA_SECS`]): frames whose side
/// information and main data are all zero, which decoders play as silence.
pub fn silent_mp3(secs: u32) -> Vec<u8> {
    let samples = MP3_SAMPLE_RATE * secs.min(MAX_MEDIA_SECS);
    let frames = samples.div_ceil(MP3_SAMPLES_PER_FRAME) as usize;
    let mut mp3 = Vec::with_capacity(frames * MP3_FRAME_BYTES);
    for _ in 0..frames {
        mp3.extend_from_slice(&MP3_FRAME_HEADER);
        mp3.resize(mp3.len() + MP3_FRAME_BYTES - MP3_FRAME_HEADER.len(), 0);
    }
    mp3
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u32_at(bytes: &[u8], at: usize) -> u32 {
        u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
    }

    #[test]
    fn wav_header_describes_the_silence() {
        let wav = silent_wav(2);
        assert_eq!(&wav[..4], b"RIFF");
        assert_eq!(u32_at(&wav, 4) as usize, wav.len() - 8);
        assert_eq!(&wav[8..16], b"WAVEfmt ");
        assert_eq!(u32_at(&wav, 24), 8000);
        assert_eq!(&wav[36..40], b"data");
        assert_eq!(u32_at(&wav, 40), 32_000);
        assert!(wav[44..].iter().all(|b| *b == 0));
        assert_eq!(silent_wav(3600).len(), 44 + 30 * 16_000);
    }

    #[test]
    fn mp3_is_whole_frames_of_the_duration() {
        let mp3 = silent_mp3(1);
        assert_eq!(mp3.len() % MP3_FRAME_BYTES, 0);
        assert_eq!(mp3.len() / MP3_FRAME_BYTES, 28); // ceil(32000 / 1152)
        assert!(mp3
            .chunks(MP3_FRAME_BYTES)
            .all(|f| f[..4] == MP3_FRAME_HEADER));
        // 32 kbit/s at 32 kHz: 144 * 32000 / 32000 bytes per frame, no padding.
        assert_eq!(144 * 32_000 / 32_000, MP3_FRAME_BYTES);
    }
}
