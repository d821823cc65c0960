"""The course's BERT model, as the PyTorch course script defines it.

Used by the tests as the Python reference for lib/bert/model.ts: same module
names (so state dict keys match), same math.
"""
import math

import torch
import torch.nn as nn

PAD_IDX = 0


class TokenEmbedding(nn.Module):
    def __init__(self, vocab_size, emb_size):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emb_size)
        self.emb_size = emb_size

    def forward(self, tokens):
        return self.embedding(tokens.long()) * math.sqrt(self.emb_size)


class PositionalEncoding(nn.Module):
    def __init__(self, emb_size, dropout, maxlen=5000):
        super().__init__()
        den = torch.exp(-torch.arange(0, emb_size, 2) * math.log(10000) / emb_size)
        pos = torch.arange(0, maxlen).reshape(maxlen, 1)
        pos_embedding = torch.zeros((maxlen, emb_size))
        pos_embedding[:, 0::2] = torch.sin(pos * den)
        pos_embedding[:, 1::2] = torch.cos(pos * den)
        pos_embedding = pos_embedding.unsqueeze(-2)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer('pos_embedding', pos_embedding)

    def forward(self, token_embedding):
        return self.dropout(token_embedding + self.pos_embedding[:token_embedding.size(0), :])


class BERTEmbedding(nn.Module):
    def __init__(self, vocab_size, emb_size, dropout=0.1):
        super().__init__()
        self.token_embedding = TokenEmbedding(vocab_size, emb_size)
        self.positional_encoding = PositionalEncoding(emb_size, dropout)
        self.segment_embedding = nn.Embedding(3, emb_size)
        self.dropout = nn.Dropout(p=dropout)

    def forward(self, bert_inputs, segment_labels=False):
        my_embeddings = self.token_embedding(bert_inputs)
        if self.train:
            x = self.dropout(my_embeddings + self.positional_encoding(my_embeddings) + self.segment_embedding(segment_labels))
        else:
            x = my_embeddings + self.positional_encoding(my_embeddings)
        return x


class BERT(nn.Module):
    def __init__(self, vocab_size, d_model=768, n_layers=12, heads=12, dropout=0.1, dim_feedforward=2048):
        super().__init__()
        self.d_model = d_model
        self.n_layers = n_layers
        self.heads = heads
        self.vocab_size = vocab_size
        self.dropout = dropout
        self.bert_embedding = BERTEmbedding(vocab_size, d_model, dropout)
        self.encoder_layer = nn.TransformerEncoderLayer(d_model=d_model, nhead=heads, dropout=dropout,
                                                        dim_feedforward=dim_feedforward, batch_first=False)
        self.transformer_encoder = nn.TransformerEncoder(self.encoder_layer, num_layers=n_layers)
        self.nextsentenceprediction = nn.Linear(d_model, 2)
        self.masked_language = nn.Linear(d_model, vocab_size)

    def forward(self, bert_inputs, segment_labels):
        padding_mask = (bert_inputs == PAD_IDX).transpose(0, 1)
        my_bert_embedding = self.bert_embedding(bert_inputs, segment_labels)
        transformer_encoder_output = self.transformer_encoder(my_bert_embedding, src_key_padding_mask=padding_mask)
        next_sentence_prediction = self.nextsentenceprediction(transformer_encoder_output[0, :])
        masked_language = self.masked_language(transformer_encoder_output)
        return next_sentence_prediction, masked_language
