/**
 * Small Ollama `/api/chat` exchanges written from the API reference (no recorded Ollama fixtures
 * exist): NDJSON stream lines and non-stream bodies.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion
 */

const at = (second: number) => `2025-06-01T10:00:${String(second).padStart(2, '0')}.123456789Z`

/** A thinking model (qwen3) streaming its thinking, then its answer. */
export const thinkingStream = [
  { model: 'qwen3:8b', created_at: at(0), message: { role: 'assistant', content: '', thinking: 'The user' }, done: false },
  { model: 'qwen3:8b', created_at: at(0), message: { role: 'assistant', content: '', thinking: ' greets me.' }, done: false },
  { model: 'qwen3:8b', created_at: at(1), message: { role: 'assistant', content: 'Hello' }, done: false },
  { model: 'qwen3:8b', created_at: at(1), message: { role: 'assistant', content: '! How can I help? 😊' }, done: false },
  {
    model: 'qwen3:8b', created_at: at(2), message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop',
    total_duration: 4883583458, load_duration: 1334875, prompt_eval_count: 26, prompt_eval_duration: 342546000, eval_count: 282, eval_duration: 4535599000,
  },
]

/** A tool call (llama3.1): whole calls in one line, arguments as an object, `done_reason: "stop"`. */
export const toolStream = [
  {
    model: 'llama3.1', created_at: at(3),
    message: { role: 'assistant', content: '', tool_calls: [
      { function: { name: 'get_current_weather', arguments: { format: 'celsius', location: 'Paris, FR' } } },
      { function: { name: 'get_time', arguments: {} } },
    ] },
    done: false,
  },
  { model: 'llama3.1', created_at: at(4), message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', prompt_eval_count: 122, eval_count: 33 },
]

/** Cut short by `num_predict`. */
export const lengthStream = [
  { model: 'llama3.2', created_at: at(5), message: { role: 'assistant', content: 'The sky is' }, done: false },
  { model: 'llama3.2', created_at: at(6), message: { role: 'assistant', content: '' }, done: true, done_reason: 'length', prompt_eval_count: 10, eval_count: 3 },
]

/** A non-stream answer with a tool call. */
export const toolBody = {
  model: 'llama3.2',
  created_at: '2024-07-22T20:33:28.123648Z',
  message: { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_current_weather', arguments: { format: 'celsius', location: 'Paris, FR' } } }] },
  done_reason: 'stop',
  done: true,
  total_duration: 885095291,
  load_duration: 3753500,
  prompt_eval_count: 122,
  prompt_eval_duration: 328493000,
  eval_count: 33,
  eval_duration: 552222000,
}

/** A non-stream answer with thinking (structured-output style content). */
export const thinkingBody = {
  model: 'deepseek-r1:8b',
  created_at: '2025-05-29T09:35:56.836222Z',
  message: { role: 'assistant', content: '{"age": 22, "available": false}', thinking: 'Ollama is 22 and busy.' },
  done_reason: 'stop',
  done: true,
  total_duration: 2254970291,
  prompt_eval_count: 34,
  eval_count: 12,
}

/** A request as an Ollama client sends it: images, history with a tool round, tools, options. */
export const chatRequest = {
  model: 'llama3.1',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'What is in this image, and the weather in Paris?', images: ['iVBORw0KGgoAAAANSUhEUg==', '/9j/4AAQSkZJRg=='] },
    { role: 'assistant', content: '', thinking: 'Need the weather tool.', tool_calls: [
      { function: { name: 'get_time', arguments: {} } },
      { function: { name: 'get_current_weather', arguments: { location: 'Paris, FR', format: 'celsius' } } },
    ] },
    { role: 'tool', content: '22 degrees', tool_name: 'get_current_weather' },
    { role: 'tool', content: '10:00' },
    { role: 'assistant', content: 'A cat. 22°C at 10:00.' },
    { role: 'user', content: 'Thanks' },
  ],
  tools: [
    {
      type: 'function',
      function: {
        name: 'get_current_weather',
        description: 'Get the current weather for a location',
        parameters: { type: 'object', properties: { location: { type: 'string' }, format: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['location', 'format'] },
      },
    },
    { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
  ],
  format: { type: 'object', properties: { answer: { type: 'string' } } },
  options: { temperature: 0.2, top_p: 0.9, top_k: 40, num_predict: 256, stop: ['###'], seed: 101, num_ctx: 8192 },
  think: true,
  keep_alive: '10m',
}
