"""Security objectives and their key results (ISO/IEC 27001:2022 6.2)."""
